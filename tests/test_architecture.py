"""The group's rules stay plain Python: domain/ imports no Telegram, no SQL, no adapters."""

from __future__ import annotations

import ast
from pathlib import Path

import domain

FORBIDDEN = frozenset({"telegram", "aiosqlite", "sqlite3", "storage", "handlers", "bot"})
DOMAIN = Path(domain.__file__).parent


def forbidden_imports(source: str, filename: str = "<string>") -> list[str]:
    """Every import of a forbidden top-level package in this source, as 'line: name'."""
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            if name.split(".")[0] in FORBIDDEN:
                found.append((node.lineno, name))
    return [f"{line}: {name}" for line, name in sorted(found)]


def test_domain_modules_import_no_adapter() -> None:
    modules = sorted(DOMAIN.rglob("*.py"))
    assert {"matching.py", "community.py", "models.py"} <= {m.name for m in modules}
    offences = {
        str(m.relative_to(DOMAIN.parent)): hits
        for m in modules
        if (hits := forbidden_imports(m.read_text(encoding="utf-8"), str(m)))
    }
    assert offences == {}


def test_the_check_catches_every_forbidden_form() -> None:
    source = "\n".join(
        [
            "import telegram",
            "import aiosqlite as db",
            "import os, sqlite3",
            "from storage.needs import NeedRepo",
            "from handlers import texts",
            "from bot.config import Settings",
            "def later():",
            "    import telegram.ext",
            "from domain.models import Need",
            "from . import models",
            "import botocore",
        ]
    )
    assert forbidden_imports(source) == [
        "1: telegram",
        "2: aiosqlite",
        "3: sqlite3",
        "4: storage.needs",
        "5: handlers",
        "6: bot.config",
        "8: telegram.ext",
    ]

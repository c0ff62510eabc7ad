"""The dashboard's room keeps its walls: web/ never imports handlers/ or bot/ (nor Telegram),
handlers/ never import web/, and bot/ is where the two meet (architecture.md). One door
only: the languages' machinery, handlers/i18n.py (no Telegram in it), which the chat and the
dashboard share with their one catalogue."""

from __future__ import annotations

import ast
from pathlib import Path

import handlers
import web

ROOT = Path(web.__file__).parent.parent


def imports_of(source: str, forbidden: frozenset[str]) -> list[str]:
    """Every import of a forbidden top-level package in this source, as 'line: name'."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [f"{node.lineno}: {n}" for n in names if n.split(".")[0] in forbidden]
    return found


def _offences(
    package: Path, forbidden: frozenset[str], allowed: frozenset[str] = frozenset()
) -> dict[str, list[str]]:
    return {
        str(m.relative_to(ROOT)): hits
        for m in sorted(package.rglob("*.py"))
        if (
            hits := [
                hit
                for hit in imports_of(m.read_text(encoding="utf-8"), forbidden)
                if hit.split(": ", 1)[1] not in allowed
            ]
        )
    }


def test_web_imports_neither_handlers_nor_bot() -> None:
    web_dir = Path(web.__file__).parent
    assert {"app.py", "core.py", "pages.py", "work.py"} <= {p.name for p in web_dir.glob("*.py")}
    forbidden = frozenset({"handlers", "bot", "telegram"})
    assert _offences(web_dir, forbidden, allowed=frozenset({"handlers.i18n"})) == {}
    # ...and that door leads nowhere else: the machinery imports neither Telegram nor the chat.
    door = (ROOT / "handlers" / "i18n.py").read_text(encoding="utf-8")
    assert imports_of(door, frozenset({"handlers", "bot", "telegram", "web"})) == []


def test_handlers_do_not_import_web() -> None:
    assert _offences(Path(handlers.__file__).parent, frozenset({"web"})) == {}


def test_the_check_sees_every_form() -> None:
    source = "from handlers import texts\nimport web.app\ndef f():\n    import bot.app\n"
    assert imports_of(source, frozenset({"handlers", "web", "bot"})) == [
        "1: handlers.texts",
        "2: web.app",
        "4: bot.app",
    ]

"""benchmarks/dashboard.py runs end to end at tiny sizes and prints its headline figures.
No timing is asserted: this only proves the script still works against the code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_dashboard_benchmark_runs() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MUTUALAID_", "TELEGRAM_"))}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "dashboard.py"), "--small"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for headline in ("cold ms", "warm ms", "slowest page", "bot step latency", "ratio", "/print"):
        assert headline in done.stdout, done.stdout

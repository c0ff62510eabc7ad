"""The benchmark scripts run end to end at tiny sizes and print their headline figures.

No timing is asserted: these only prove the scripts still work against the code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"


def _run(name: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MUTUALAID_", "TELEGRAM_"))}
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / name), "--small"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.parametrize(
    ("script", "headlines"),
    [
        (
            "matching.py",
            (
                "median",
                "p90",
                "p99",
                "max",
                "rows from SQL per need",
                "seeding",
                "EXPLAIN QUERY PLAN",
                "volunteer_cells",
            ),
        ),
        ("throughput.py", ("updates/s", "bare PTB", "ratio", "peak RSS")),
        ("reports.py", ("digest", "/report", "/export", "EXPLAIN QUERY PLAN")),
        (
            "sending.py",
            (
                "delivered",
                "lost",
                "dup",
                "sustained/s",
                "every message delivered once",
                "429",
                "priority:",
            ),
        ),
        (
            "latency.py",
            (
                "updates/s",
                "msgs/s",
                "max 1s",
                "median ms",
                "p99 ms",
                "CPU ms/upd",
                "flood at 50 ms",
                "the flooder:",
                "targets",
            ),
        ),
        (
            "simulation.py",
            (
                "wave (the bot)",
                "wave (language-blind)",
                "broadcast",
                "nearest",
                "share met",
                "median min",
                "msgs/met",
                "Gini",
                "never",
                "met en",
                "in their language",
                "target:",
            ),
        ),
    ],
)
def test_benchmark_runs_small(script: str, headlines: tuple[str, ...]) -> None:
    out = _run(script)
    for headline in headlines:
        assert headline in out, f"{script} printed no {headline!r}:\n{out}"

"""`mutualaid demo`: the story a newcomer sees first, told by the real application."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path


def test_the_demo_tells_the_whole_story_without_a_token(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("mutualaid")
    command = [str(script), "demo"] if script.exists() else [sys.executable, "-m", "bot", "demo"]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Traceback" not in out + done.stderr
    # The volunteer signs up, the resident asks, the volunteer is asked without a name...
    proposal = out[out.index("bot → Priya: Can you help? #1") :]
    proposal = proposal[: proposal.index("Priya » [Accept]")]
    assert "Margaret" not in proposal
    # ...accepts, and both sides hold the same four-digit doorstep code.
    codes = re.findall(r"Doorstep code: (\d{4})", out)
    told = re.findall(r"they will say the code (\d{4})", out)
    assert len(codes) == 1 and codes == told
    # Nothing is left behind in the folder it ran in.
    assert not list(tmp_path.glob("*.db"))

"""`benchmarks/execute.py` still runs: a quick pass on tiny runbooks prints the table.

Only that it runs and what it prints are checked, never how fast anything was.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "execute.py"


def test_the_execute_benchmark_runs_and_prints_its_table() -> None:
    finished = subprocess.run(
        [
            sys.executable,
            str(BENCHMARK),
            *("--sizes", "20,40", "--repeat", "1", "--branch-seconds", "0.1"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert finished.returncode == 0, finished.stderr
    lines = finished.stdout.splitlines()
    header = next(line for line in lines if line.startswith("shape"))
    for column in ("size", "run s", "ms/artifact", "floor s", "ratio", "resume s (1 left)"):
        assert column in header
    rows = [line.split("|")[0].strip() for line in lines if line.startswith(("wide", "chain"))]
    assert rows == ["wide", "chain", "wide", "chain"]
    assert "per-artifact overhead, 20 → 40 artifacts (flat expected):" in lines
    assert any(line.startswith("scheduling: a 0.1 s branch") for line in lines)
    assert "targets (information only):" in lines

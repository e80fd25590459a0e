"""`benchmarks/complete.py` still runs: a quick pass on a small runbook prints the table.

Only that it runs and what it prints are checked, never how fast anything was.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "complete.py"


def test_the_completion_benchmark_runs_and_prints_its_table() -> None:
    finished = subprocess.run(
        [sys.executable, str(BENCHMARK), "--sizes", "20", "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert finished.returncode == 0, finished.stderr
    header = next(line for line in finished.stdout.splitlines() if line.lstrip().startswith("size"))
    for column in ("choices", "floor ms (re-analysis)", "complete ms", "to JSON ms"):
        assert column in header
    assert "`inputs: ` of the last artifact" in finished.stdout
    assert "targets (information only):" in finished.stdout

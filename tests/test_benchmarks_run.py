"""Every benchmark in `benchmarks/` still runs: a quick pass on small runbooks prints its
table with the expected columns and the targets. Only that it runs and what it prints are
checked, never how fast anything was."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"

CASES = {
    "analyse.py": (
        ("--sizes", "50", "--repeat", "1"),
        ("floor ms (gc on)", "fresh ms", "edit ms", "insert ms", "reparsed blocks"),
        ("50 artifacts",),
    ),
    "execute.py": (
        ("--sizes", "20,40", "--repeat", "1", "--branch-seconds", "0.1"),
        ("shape", "run s", "ms/artifact", "floor s", "ratio", "resume s (1 left)"),
        ("per-artifact overhead, 20 → 40 artifacts (flat expected):", "scheduling: a 0.1 s"),
    ),
    "complete.py": (
        ("--sizes", "20", "--repeat", "1"),
        ("choices", "floor ms (re-analysis)", "complete ms", "to JSON ms"),
        ("`inputs: ` of the last artifact",),
    ),
    "format.py": (
        ("--sizes", "20", "--repeat", "1"),
        ("floor ms (parse)", "format ms (formatted)", "format ms (re-indent all)", "tokens ms"),
        ("20 artifacts", "a second parse that checks the meaning is the same"),
    ),
    "hostile.py": (
        ("--repeat", "1", "--scale", "0.01"),
        ("case", "wct validate s", "peak MB", "diagnostics", "analyse() s", "YAML events s"),
        (
            "1 GiB sparse file",
            "600 levels behind comments",
            "floor: `wct validate`",
            "valid artifacts (the most accepted)",
            "another runbook answered in ≤ 1 s while each file is analysed",
        ),
    ),
    "matching.py": (
        ("--mb", "0.3", "--files", "3", "--hostile-mb", "0.2"),
        ("engine", "MB/s", "matches", "ratio to floor"),
        ("and re agree on the raw matches: yes", "one line, 0.2 MB", "NUL-heavy"),
    ),
    "scan.py": (
        ("--mb", "2", "--small-files", "200"),
        (
            "corpus",
            "files",
            "MB",
            "wct s",
            "floor s (rg -P)",
            "ratio",
            "MB/s",
            "files/s",
            "peak RSS MB",
            "store growth MB",
            "growth/scanned",
            "recall",
            "precision",
        ),
        (
            "recall 1.0, 2 MB (1 file): PASS",
            "recall 1.0, 200 small files (0.3 MB): PASS",
            "peak RSS ≤ 300 MB, 2 MB (1 file):",
            "≥ 5,000 files/s, 200 small files (0.3 MB):",
        ),
    ),
    "distributed.py": (
        ("--mb", "2", "--sizes", "5", "--simulate-workers", "3", "--tasks", "100"),
        (
            "executor",
            "start-up s",
            "wct s",
            "MB/s",
            "x 1 process",
            "x 1 process, start-up excluded",
            "wct process CPU s",
            "recall",
            "precision",
            "findings as the floor's",
        ),
        (
            "local --workers 1 (floor)",
            "dask-local:2 ms/artifact",
            "one at a time: median ms",
            "LocalCluster, as dask-local:2",
            "ms per task",
            "what this implies for 100 workers (CPU times):",
            "recall and precision equal across executors: PASS",
            "findings identical across executors: PASS",
            "dask-local:2 ≤ 5 ms per artifact at 5 artifacts:",
            "processes left behind by the wct runs: 0",
        ),
    ),
    "lsp.py": (
        (
            *("--sizes", "30", "--repeat", "3"),
            *("--broken-sizes", "60", "--broken-repeat", "2", "--keystrokes", "10"),
        ),
        ("floor ms", "diagnostics p50/p95", "inputs completion p50/p95", "hover p50/p95"),
        (
            "peak MB",
            "yaml-language-server 2.0",
            "runbooks with problems",
            "published",
            "inputs p50/p95",
            " id p50/p95",
            "type p50/p95",
            "CPU s per keys",
            "idle CPU s",
        ),
    ),
}


@pytest.mark.parametrize("script", sorted(CASES))
def test_the_benchmark_runs_and_prints_its_table(script: str) -> None:
    arguments, columns, phrases = CASES[script]
    finished = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=BENCHMARKS,
    )

    assert finished.returncode == 0, finished.stderr
    lines = finished.stdout.splitlines()
    header = next(line for line in lines if " | " in line)
    for column in columns:
        assert column in header, column
    for phrase in phrases:
        assert phrase in finished.stdout, phrase
    assert "targets (information only):" in lines

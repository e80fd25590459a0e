"""Benchmark of hostile input: what `wct validate` costs on files made to hurt it.

Each case is a file written into a temporary directory (a 1 GiB sparse file, `/dev/zero`,
short artifacts up to the size limit, a 10,000-artifact cycle, unknown fields and
references by the hundred thousand, nesting hidden behind comments, an alias bomb), and,
for comparison, the largest runbooks the limits accept (25,000 artifacts). For each, the
table shows the median wall time and the peak memory of `wct validate FILE` as a fresh
process, the same over the floor (`wct validate` of a small valid runbook, measured in
the same run: the cost of starting Python and importing wct), how many diagnostics it
printed, the time of `analyse()` in-process, and a second floor beside it: the time PyYAML's
C parser takes to hand over the file's events (what any analysis built on them pays before
it looks at anything). The issue's targets follow the table, for information only (the
exit code is 0 either way).

    .venv/bin/python benchmarks/hostile.py [--repeat 3] [--scale 1.0]

`--scale` shrinks the generated cases (0.01 for a quick check).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

import table  # benchmarks/table.py (the scripts run from this folder)
from hostile_server import ServerFigures, measure_in_server
from waivern_orchestration.analysis import analyse, paused_collector
from waivern_orchestration.parse.runbook_file import RunbookTooLarge, read_runbook
from waivern_orchestration.parse.yaml_tree import DEFAULT_LIMITS

HEADER = (
    "case",
    "input MB",
    "wct validate s",
    "over floor s",
    "peak MB",
    "diagnostics",
    "analyse() s",
    "YAML events s",
    "analyse/events",
)
SERVER_HEADER = ("case", "own diagnostics s", "another runbook answered ms", "server peak MB")
TARGET_SECONDS = 1.0
TARGET_MB = 200.0

HEAD = "name: Hostile\ndescription: Made to hurt the analysis\nartifacts:\n"
SMALL = (
    HEAD + "  files:\n    source:\n      type: filesystem\n      properties:\n        path: .\n"
    "    output: true\n"
)
FILESYSTEM = "  a:\n    source:\n      type: filesystem\n      properties:\n        path: .\n"


@dataclass(frozen=True)
class Case:
    name: str
    write: Callable[[Path, float], Path]  # (folder, scale) -> the file to validate


def _written(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _huge_sparse(folder: Path, scale: float) -> Path:
    path = folder / "huge.yaml"
    with path.open("wb") as file:
        file.truncate(1 << 30)  # 1 GiB of holes: reading it would cost a gigabyte
    return path


def _endless(folder: Path, scale: float) -> Path:
    return Path("/dev/zero")


VALID_PAIR = (
    "  files_{n}:\n    description: Exported support files, shard {n}\n"
    "    source:\n      type: filesystem\n      properties:\n        path: ./shard_{n}\n"
    "        include: ['*.txt', '*.csv']\n"
    "  findings_{n}:\n    inputs: files_{n}\n    process:\n      type: personal_data\n"
    "    output: true\n"
)
# The shortest artifact with a problem (a processor's input of the wrong schema): the most
# artifacts, and diagnostics, per character.
SHORT = "  a{n}: {{inputs: a{next}, process: {{type: personal_data}}}}\n"


def _most_valid(folder: Path, scale: float) -> Path:
    # Valid artifacts (a source, a processor of it), as many as a runbook may hold.
    pairs = max(1, int(DEFAULT_LIMITS.max_entries * scale) // 2)
    text = HEAD + "".join(VALID_PAIR.format(n=n) for n in range(pairs))
    return _written(folder, "most_valid.yaml", text)


def _most_short(folder: Path, scale: float) -> Path:
    count = max(1, int(DEFAULT_LIMITS.max_entries * scale))
    text = HEAD + "".join(SHORT.format(n=n, next=n + 1) for n in range(count))
    return _written(folder, "most_short.yaml", text)


def _short_to_the_size_limit(folder: Path, scale: float) -> Path:
    # Short artifacts until the text is just under the size limit: about 85,000.
    budget = int((DEFAULT_LIMITS.max_chars - len(HEAD) - 1000) * scale)
    parts = [HEAD]
    size = len(HEAD)
    n = 0
    while size + len(piece := SHORT.format(n=n, next=n + 1)) <= budget:
        parts.append(piece)
        size += len(piece)
        n += 1
    return _written(folder, "short_to_the_size_limit.yaml", "".join(parts))


def _cycle(folder: Path, scale: float) -> Path:
    count = max(3, int(10_000 * scale))
    text = HEAD + "".join(
        f"  a{i}:\n    inputs: a{(i + 1) % count}\n    process:\n      type: personal_data\n"
        for i in range(count)
    )
    return _written(folder, "cycle.yaml", text)


def _unknown_fields(folder: Path, scale: float) -> Path:
    count = max(1, int(200_000 * scale))
    text = HEAD + FILESYSTEM + "".join(f"    unknown_{i}: x\n" for i in range(count))
    return _written(folder, "unknown_fields.yaml", text)


def _unknown_properties(folder: Path, scale: float) -> Path:
    count = max(1, int(170_000 * scale))  # 4.4 MB: under the size limit
    text = HEAD + FILESYSTEM + "".join(f"        unknown_{i}: x\n" for i in range(count))
    return _written(folder, "unknown_properties.yaml", text)


def _unknown_references(folder: Path, scale: float) -> Path:
    count = max(1, int(100_000 * scale))
    names = ", ".join(f"missing_{i}" for i in range(count))
    text = HEAD + f"  a:\n    inputs: [{names}]\n    process:\n      type: personal_data\n"
    return _written(folder, "unknown_references.yaml", text)


def _hidden_nesting(folder: Path, scale: float) -> Path:
    # 600 levels whose brackets a character count would not see: closing ones in comments.
    depth = 600
    text = HEAD + "  a:\n    description: " + "[ # ]\n" * depth + "x" + "]" * depth + "\n"
    return _written(folder, "hidden_nesting.yaml", text)


def _alias_bomb(folder: Path, scale: float) -> Path:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]")
    return _written(folder, "alias_bomb.yaml", HEAD.replace("artifacts:\n", "") + "\n".join(lines))


CASES = (
    Case("1 GiB sparse file", _huge_sparse),
    Case("/dev/zero", _endless),
    Case("short artifacts to the size limit (5 MB)", _short_to_the_size_limit),
    Case("10,000-artifact cycle", _cycle),
    Case("200,000 unknown fields", _unknown_fields),
    Case("170,000 unknown properties", _unknown_properties),
    Case("100,000 unknown references", _unknown_references),
    Case("600 levels behind comments", _hidden_nesting),
    Case("alias bomb (10^9 nodes)", _alias_bomb),
)
# The largest runbooks accepted, not hostile: what the limits let through costs this much.
MOST = f"{DEFAULT_LIMITS.max_entries:,}"
LARGEST = (
    Case(f"{MOST} valid artifacts (the most accepted)", _most_valid),
    Case(f"{MOST} short artifacts, an error each", _most_short),
)


def in_process(path: Path) -> tuple[str, str, str]:
    """(analyse() s, the YAML events floor s, their ratio), each the median of 3."""
    try:
        text = read_runbook(path)
    except RunbookTooLarge:
        return "refused unread", "-", "-"
    with paused_collector():
        analysed = statistics.median(_timed(lambda: analyse(text, path)) for _ in range(3))
        events = statistics.median(_timed(lambda: _events(text)) for _ in range(3))
    return f"{analysed:.2f}", f"{events:.2f}", f"{analysed / events:.1f}" if events else "-"


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _events(text: str) -> int:
    """Every event of the text from the C parser, nothing built from them (the floor);
    stops at the first error, as the analysis does."""
    loader = yaml.CSafeLoader(text)
    count = 0
    try:
        while loader.check_event():
            loader.get_event()
            count += 1
    except yaml.YAMLError:
        pass
    finally:
        loader.dispose()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        small = _written(folder, "small.yaml", SMALL)
        floor = statistics.median(_one_process(small)[0] for _ in range(max(args.repeat, 3)))
        hostile = [_measured(case, folder, args, floor) for case in CASES]
        largest = [_measured(case, folder, args, floor) for case in LARGEST]
    print(f"floor: `wct validate` of a small runbook, {floor:.2f} s (starting Python and wct)")
    print()
    print("hostile input:")
    table.print_table(HEADER, [row.cells for row in hostile], left_first=True)
    print()
    print(f"the largest runbooks accepted (at the limit of {MOST} artifacts), for comparison:")
    table.print_table(HEADER, [row.cells for row in largest], left_first=True)
    print()
    print(
        "the language server (`wct lsp`): each file opened beside a small runbook, which is "
        "edited and asked for its symbols at once"
    )
    served = [row for row in (*hostile, *largest) if row.server is not None]
    table.print_table(SERVER_HEADER, [_server_cells(row) for row in served], left_first=True)
    print()
    _print_targets(hostile, largest, served)


def _server_cells(row: Measured) -> tuple[str, ...]:
    assert row.server is not None
    figures = row.server
    return (
        row.name,
        f"{figures.diagnostics_s:.2f}",
        f"{figures.other_ms:.0f}",
        f"{figures.peak_mb:.0f}",
    )


def _print_targets(
    hostile: list[Measured], largest: list[Measured], served: list[Measured]
) -> None:
    print("targets (information only):")
    limits = f"≤ {TARGET_SECONDS:.0f} s with ≤ {TARGET_MB:.0f} MB"
    misses = [row.name for row in hostile if row.seconds > TARGET_SECONDS or row.peak > TARGET_MB]
    print(f"  `wct validate`: every hostile case answered in {limits}: {_verdict(misses)}")
    heavy = [row.name for row in largest if row.peak > TARGET_MB]
    within = f"within {TARGET_MB:.0f} MB"
    print(f"  `wct validate`: the largest runbooks accepted {within}: {_verdict(heavy)}")
    figures = {row.name: row.server for row in served if row.server is not None}
    late = [name for name, server in figures.items() if server.other_ms > TARGET_SECONDS * 1000]
    print(
        f"  server: another runbook answered in ≤ {TARGET_SECONDS:.0f} s while each file is "
        f"analysed: {_verdict(late)}"
    )
    slow = [
        row.name
        for row in hostile
        if row.server is not None
        and (row.server.diagnostics_s > TARGET_SECONDS or row.server.peak_mb > TARGET_MB)
    ]
    print(f"  server: every hostile case's own diagnostics in {limits}: {_verdict(slow)}")


def _verdict(misses: list[str]) -> str:
    return "PASS" if not misses else f"MISS ({', '.join(misses)})"


@dataclass(frozen=True)
class Measured:
    name: str
    seconds: float
    peak: float
    cells: tuple[str, ...]
    server: ServerFigures | None  # None: no editor would send it (a device, 1 GiB)


def _measured(case: Case, folder: Path, args: argparse.Namespace, floor: float) -> Measured:
    path = case.write(folder, args.scale)
    size = path.stat().st_size if path.is_file() else 0
    samples = [_one_process(path) for _ in range(args.repeat)]
    seconds = statistics.median(sample[0] for sample in samples)
    peak = max(sample[1] for sample in samples)
    cells = (
        case.name,
        f"{size / 1e6:,.1f}" if size else "endless",
        f"{seconds:.2f}",
        f"{seconds - floor:.2f}",
        f"{peak:.0f}",
        f"{samples[0][2]:,}",
        *in_process(path),
    )
    sent = path.is_file() and size <= 4 * DEFAULT_LIMITS.max_chars
    server = measure_in_server(path, folder / "small.yaml") if sent else None
    return Measured(case.name, seconds, peak, cells, server)


def _one_process(path: Path) -> tuple[float, float, int]:
    """One `wct validate` in a child of its own, so that its peak memory is its own."""
    command = [
        sys.executable,
        "-c",
        "import sys, time, resource, subprocess\n"
        "started = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "elapsed = time.perf_counter() - started\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "if done.returncode not in (0, 1) or b'Traceback' in done.stderr:\n"
        "    sys.exit(done.stderr.decode() or f'exit {done.returncode}')\n"
        "printed = sum(1 for line in done.stdout.decode().splitlines() if ' WCT' in line)\n"
        "print(elapsed, peak, printed)\n",
        sys.executable,
        "-m",
        "waivern_orchestration.cli.app",
        "validate",
        str(path),
    ]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise SystemExit(f"wct validate {path} failed: {finished.stderr}")
    elapsed, peak, printed = finished.stdout.split()
    return float(elapsed), float(peak), int(printed)


if __name__ == "__main__":
    main()

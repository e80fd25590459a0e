"""Benchmark of the editor's formatting and semantic tokens: what Format Document, Format
Selection and `textDocument/semanticTokens/full` cost in a generated runbook (the one
`analyse.py` writes) of 200 and 2,000 artifacts, against parsing the same text with
PyYAML's C parser into the positioned tree (the floor, measured in the same run).

The formatter is timed on the text as generated (already formatted: no edits) and with
every line indented twice as deep (every artifact re-indented); semantic tokens from the
analysis the server holds, encoded as the protocol wants them. Medians in milliseconds;
the exit code is 0 whatever the figures.

    .venv/bin/python benchmarks/format.py [--sizes 200,2000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import table  # benchmarks/table.py (the scripts run from this folder)
from analyse import generate
from waivern_lsp.conversions import LineCodec
from waivern_lsp.features.semantic_tokens import encoded
from waivern_lsp.language.formatter import format_lines
from waivern_lsp.language.semantic_tokens import semantic_tokens
from waivern_orchestration.analysis import analyse
from waivern_orchestration.parse.positions import split_lines
from waivern_orchestration.parse.yaml_tree import parse_yaml


def median_ms(call: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def doubled(text: str) -> str:
    """Every line indented twice as deep (still the same runbook)."""
    return "\n".join(" " * (len(line) - len(line.lstrip(" "))) + line for line in text.split("\n"))


def measure(size: int, directory: Path, repeat: int) -> dict[str, float]:
    generated = generate(size, directory)
    text = generated.text
    wide = doubled(text)
    middle = generated.middle_description_line
    assert format_lines(text) == [] and format_lines(wide), "the generated runbook formats"
    analysis = analyse(text, generated.path)
    codec = LineCodec(split_lines(text))
    return {
        "size": size,
        "mb": len(text) / 1e6,
        "floor": median_ms(lambda: parse_yaml(text), repeat),
        "formatted": median_ms(lambda: format_lines(text), repeat),
        "wide": median_ms(lambda: format_lines(wide), repeat),
        "range": median_ms(lambda: format_lines(wide, (middle, middle)), repeat),
        "tokens": median_ms(lambda: encoded(semantic_tokens(analysis), codec), repeat),
        "count": len(semantic_tokens(analysis)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,2000")
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        measured = [
            measure(int(size), Path(directory), arguments.repeat)
            for size in arguments.sizes.split(",")
        ]
    header = (
        "runbook",
        "MB",
        "floor ms (parse)",
        "format ms (formatted)",
        "format ms (re-indent all)",
        "range ms (one artifact)",
        "tokens ms",
        "tokens",
    )
    rows = [
        (
            f"{row['size']:,.0f} artifacts",
            f"{row['mb']:.2f}",
            *(f"{row[name]:.0f}" for name in ("floor", "formatted", "wide", "range", "tokens")),
            f"{row['count']:,.0f}",
        )
        for row in measured
    ]
    table.print_table(header, rows, left_first=True)
    print()
    print(
        "format: the parse, the new layout, and (when anything changed) a second parse that"
        " checks the meaning is the same; range: the same parses, one artifact laid out."
    )
    print()
    print("targets (information only):")
    for name, what, times in (
        ("wide", "Format Document", 4),
        ("range", "Format Selection", 4),
        ("tokens", "semantic tokens", 0.25),
    ):
        worst = max(row[name] / max(row["floor"], 0.001) for row in measured)
        verdict = "PASS" if worst <= times else "MISS"
        print(f"  {what} within {times} times the parse: {verdict} (at most {worst:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

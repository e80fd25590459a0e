"""Benchmark of completion: what it costs to answer `textDocument/completion` in a
generated runbook of 100, 1,000 and 5,000 artifacts, against the incremental re-analysis
every keystroke already pays (the floor, measured in the same run on the same text).

Each case reads the cursor from the lines and picks the choices from the analysis, as the
server does, then turns them into the JSON the client receives (capped as the server caps
them). Medians in milliseconds; the target (completion within the floor) is printed for
information only, the exit code is 0 either way.

    .venv/bin/python benchmarks/complete.py [--sizes 100,1000,5000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from lsprotocol import types as lsp
from pygls.protocol import default_converter

import table  # benchmarks/table.py (the scripts run from this folder)
from waivern_lsp.features.completion import MAX_ITEMS
from waivern_lsp.language.completion import Choice, CompletionContext, complete
from waivern_lsp.language.cursor import cursor_at
from waivern_orchestration.analysis import Analysis, analyse, paused_collector
from waivern_orchestration.components.registry import default_registry
from waivern_orchestration.parse.positions import Position, split_lines

# (case, the line the cursor `<|>` is on, written as the last line of the runbook, whose
# last artifact is a `process` one)
CASES = (
    ("key of the last artifact", "    <|>"),
    ("`inputs: ` of the last artifact", "    inputs: <|>"),
    ("`inputs: a1` of the last artifact", "    inputs: a1<|>"),
    ("`process.type` of the last artifact", "      type: <|>"),
)
HEADER = ("size", "case", "choices", "floor ms (re-analysis)", "complete ms", "to JSON ms")


def runbook(size: int) -> str:
    parts = ["name: Benchmark\ndescription: Generated\nartifacts:\n"]
    for index in range(size):
        if index % 2 == 0:
            parts.append(
                f"  a{index}:\n    description: Files {index}\n    source:\n"
                "      type: filesystem\n      properties:\n        path: data\n"
            )
        else:
            parts.append(
                f"  a{index}:\n    inputs: [a{index - 1}]\n    process:\n"
                "      type: personal_data\n"
            )
    return "".join(parts)


def median_ms(action: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--repeat", type=int, default=15)
    arguments = parser.parse_args()
    registry = default_registry()
    converter = default_converter()
    path = Path("/benchmark/runbook.yaml")
    rows: list[tuple[str, ...]] = []
    misses = 0
    for size in (int(size) for size in arguments.sizes.split(",")):
        # without the last `type:` line: each case writes its own
        base = runbook(size | 1).rstrip("\n").rsplit("\n", 1)[0] + "\n"
        for name, line in CASES:
            text = base + line.replace("<|>", "") + "\n"
            lines = split_lines(text)
            number = len(lines) - 2
            position = Position(number, line.index("<|>"))
            analysis = analyse(text, path, registry=registry)
            edited = text.replace("description: Files 0", "description: Files 0 edited")

            def reanalysed(edited: str = edited, analysis: Analysis = analysis) -> Analysis:
                # as the server's analysis thread runs it: the garbage collector paused
                with paused_collector():
                    return analyse(edited, path, previous=analysis, registry=registry)

            floor = median_ms(reanalysed, arguments.repeat)
            context = CompletionContext(analysis, lines, registry, os.environ)

            def answer(
                lines: list[str] = lines,
                position: Position = position,
                context: CompletionContext = context,
            ) -> list[Choice]:
                cursor = cursor_at(lines, position)
                assert cursor is not None
                return list(complete(cursor, context))

            choices = answer()
            edit_range = lsp.Range(
                start=lsp.Position(line=number, character=0),
                end=lsp.Position(line=number, character=position.character),
            )
            items = [
                lsp.CompletionItem(
                    label=choice.label,
                    detail=choice.detail,
                    documentation=choice.documentation,
                    sort_text=choice.order + choice.label,
                    text_edit=lsp.TextEdit(range=edit_range, new_text=choice.text),
                )
                for choice in choices[:MAX_ITEMS]
            ]
            result = lsp.CompletionList(is_incomplete=len(choices) > MAX_ITEMS, items=items)
            completing = median_ms(answer, arguments.repeat)
            serialising = median_ms(
                lambda result=result: json.dumps(converter.unstructure(result)), arguments.repeat
            )
            misses += completing + serialising > max(floor, 1.0)
            rows.append(
                (
                    str(size),
                    name,
                    str(len(choices)),
                    f"{floor:.2f}",
                    f"{completing:.2f}",
                    f"{serialising:.2f}",
                )
            )
    table.print_table(HEADER, rows, left_first=False)
    print()
    print("targets (information only):")
    verdict = "PASS" if not misses else f"MISS ({misses} cases)"
    print(f"  completion + JSON within the re-analysis of one edit (or 1 ms): {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark of the language server: the real `wct lsp` process driven over stdio, on the
generated runbooks of `benchmarks/analyse.py` (100, 1,000 and 5,000 artifacts).

For each size it measures, as an editor sees them: didChange → publishDiagnostics for
that version (edits sent one at a time, each waiting for its diagnostics), completion in
an `inputs` list, completion of a new key, hover on an artifact id; the server's peak
memory (VmHWM); and the floor, `yaml.compose` with PyYAML's C loader on the same text, in
the same run. Median and p95 in milliseconds; the issue's targets follow the table, for
information only (the exit code is 0 either way).

    .venv/bin/python benchmarks/lsp.py [--sizes 100,1000,5000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import yaml
from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

import table  # benchmarks/table.py (the scripts run from this folder)
from analyse import Generated, generate

WCT = str(Path(sys.executable).parent / "wct")
HEADER = (
    "size",
    "lines",
    "floor ms",
    "open ms",
    "diagnostics p50/p95",
    "/floor",
    "inputs completion p50/p95",
    "key completion p50/p95",
    "hover p50/p95",
    "peak MB",
)
CAPABILITIES = lsp.ClientCapabilities(
    text_document=lsp.TextDocumentClientCapabilities(
        publish_diagnostics=lsp.PublishDiagnosticsClientCapabilities(version_support=True),
        completion=lsp.CompletionClientCapabilities(
            completion_item=lsp.ClientCompletionItemOptions(snippet_support=True)
        ),
        hover=lsp.HoverClientCapabilities(content_format=[lsp.MarkupKind.Markdown]),
    )
)


class Client(LanguageClient):
    """Records when the diagnostics of each version arrive."""

    def __init__(self) -> None:
        super().__init__("waivern-benchmark", "1")
        self.arrived: dict[int, float] = {}
        self.waiting: dict[int, asyncio.Future[float]] = {}

        @self.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: lsp.PublishDiagnosticsParams) -> None:
            now = time.perf_counter()
            if params.version is None:
                return
            self.arrived[params.version] = now
            future = self.waiting.pop(params.version, None)
            if future is not None and not future.done():
                future.set_result(now)

    async def diagnostics_of(self, version: int) -> float:
        if version in self.arrived:
            return self.arrived[version]
        future = self.waiting.setdefault(version, asyncio.get_running_loop().create_future())
        return await asyncio.wait_for(future, 120)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def pair(samples: list[float]) -> str:
    p50, p95 = percentiles(samples)
    return f"{p50:.1f} / {p95:.1f}"


async def timed_requests(call: Callable[[], Awaitable[object]], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = await call()
        samples.append((time.perf_counter() - started) * 1000)
        if result is None:
            raise SystemExit("the server answered null where a result was expected")
    return samples


def floor_ms(text: str, repeat: int) -> float:
    """`yaml.compose` with the C loader, garbage collector paused (the lowest figure: this
    process holds the protocol library's many objects, which a running collector would
    scan again and again while the nodes are made)."""
    samples = []
    for _ in range(max(3, repeat // 5)):
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            yaml.compose(text, Loader=yaml.CSafeLoader)
            samples.append((time.perf_counter() - started) * 1000)
        finally:
            gc.enable()
    return statistics.median(samples)


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def inputs_position(generated: Generated) -> lsp.Position:
    """Inside the flow list of `inputs` of the artifact after the middle one, right after
    `[` (every artifact id that closes no cycle may follow)."""
    lines = generated.text.split("\n")
    for number in range(generated.middle_key_line, len(lines)):
        if lines[number].startswith("    inputs: ["):
            return lsp.Position(line=number, character=len("    inputs: ["))
    raise SystemExit("no flow `inputs` list after the middle artifact")


async def measure(size: int, repeat: int, directory: Path) -> list[str]:
    generated = generate(size, directory)
    uri = generated.path.as_uri()
    client = Client()
    await client.start_io(WCT, "lsp", cwd=str(directory))
    server = client._server  # the subprocess (for its memory)
    assert server is not None
    await client.initialize_async(
        lsp.InitializeParams(
            capabilities=CAPABILITIES,
            root_uri=directory.as_uri(),
            initialization_options={"store": str(directory / ".waivern")},
        )
    )
    client.initialized(lsp.InitializedParams())
    document = lsp.TextDocumentIdentifier(uri=uri)

    started = time.perf_counter()
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=uri, language_id="yaml", version=1, text=generated.text
            )
        )
    )
    open_ms = (await client.diagnostics_of(1) - started) * 1000

    # one-line edits in the middle, one at a time: the description alternates
    version = 1
    line = generated.middle_description_line
    old = generated.text.split("\n")[line]
    edits = []
    for index in range(repeat):
        new = f"    description: Edited description number {index}"
        version += 1
        started = time.perf_counter()
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    lsp.TextDocumentContentChangePartial(
                        range=lsp.Range(
                            start=lsp.Position(line=line, character=0),
                            end=lsp.Position(line=line, character=len(old)),
                        ),
                        text=new,
                    )
                ],
            )
        )
        edits.append((await client.diagnostics_of(version) - started) * 1000)
        old = new

    in_inputs = inputs_position(generated)
    inputs = await timed_requests(
        lambda: client.text_document_completion_async(
            lsp.CompletionParams(text_document=document, position=in_inputs)
        ),
        repeat,
    )
    hover_at = lsp.Position(line=generated.middle_key_line, character=4)
    hovers = await timed_requests(
        lambda: client.text_document_hover_async(
            lsp.HoverParams(text_document=document, position=hover_at)
        ),
        repeat,
    )

    # a new line in the middle artifact, where a key is being started
    version += 1
    blank = lsp.Position(line=generated.middle_key_line + 1, character=0)
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                lsp.TextDocumentContentChangePartial(
                    range=lsp.Range(start=blank, end=blank), text="    \n"
                )
            ],
        )
    )
    await client.diagnostics_of(version)
    at_key = lsp.Position(line=generated.middle_key_line + 1, character=4)
    keys = await timed_requests(
        lambda: client.text_document_completion_async(
            lsp.CompletionParams(text_document=document, position=at_key)
        ),
        repeat,
    )

    memory = peak_mb(server.pid)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()

    floor = floor_ms(generated.text, repeat)
    p50 = percentiles(edits)[0]
    return [
        f"{size:,}",
        f"{generated.lines:,}",
        f"{floor:.1f}",
        f"{open_ms:.0f}",
        pair(edits),
        f"{p50 / floor:.2f}x",
        pair(inputs),
        pair(keys),
        pair(hovers),
        f"{memory:.0f}",
    ]


def targets(rows: dict[int, list[str]]) -> list[str]:
    def p50(row: list[str], column: int) -> float:
        return float(row[column].split("/")[0])

    found = []
    for size, diagnostics, requests in ((1000, 50, 15), (5000, 150, 30)):
        row = rows.get(size)
        if row is None:
            continue
        diag = p50(row, 4)
        found.append(
            f"diagnostics p50 <= {diagnostics} ms at {size:,}: "
            f"{'PASS' if diag <= diagnostics else 'MISS'} ({diag:.1f} ms)"
        )
        worst = max(p50(row, 6), p50(row, 7), p50(row, 8))
        found.append(
            f"completion and hover p50 <= {requests} ms at {size:,}: "
            f"{'PASS' if worst <= requests else 'MISS'} (slowest {worst:.1f} ms)"
        )
        if size == 5000:
            memory = float(row[9])
            found.append(
                f"peak memory <= 300 MB at 5,000: {'PASS' if memory <= 300 else 'MISS'} "
                f"({memory:.0f} MB)"
            )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    rows: dict[int, list[str]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            directory = Path(folder) / str(size)
            directory.mkdir()
            rows[size] = asyncio.run(measure(size, args.repeat, directory))
            print(f"measured {size:,} artifacts", file=sys.stderr)
    print(f"wct lsp over stdio; milliseconds, {args.repeat} samples per cell")
    table.print_table(HEADER, list(rows.values()), left_first=False)
    print()
    print(
        "for comparison (issue text): yaml-language-server 2.0 with the runbook schema, "
        "diagnostics 343 ms at 1,000 / 1,275 ms at 5,000, completion 122-126 / 654-683 ms, "
        "hover 23 / 136 ms, 745 MB at 5,000"
    )
    print("targets (information only):")
    for line in targets(rows):
        print(f"  {line}")


if __name__ == "__main__":
    main()

"""Benchmark of the language server: the real `wct lsp` process driven over stdio, on the
generated runbooks of `benchmarks/analyse.py` (100, 1,000 and 5,000 artifacts).

For each size it measures, as an editor sees them: didChange → diagnostics for that
version (edits sent one at a time, each waiting for its diagnostics: their publish, or,
when the edit left them as they were and the server publishes nothing, the answer to a
hover sent right after it), completion in an `inputs` list, completion of a new key, hover
on an artifact id; the server's peak memory (VmHWM); and the floor, `yaml.compose` with
PyYAML's C loader on the same text, in the same run.

Then runbooks with problems (`broken_runbooks.py`: 1,000, 5,000 and 20,000 artifacts,
about 1.3 problems each, of eleven kinds): the problems and the diagnostics published when
opened; didChange → diagnostics for the edits users make in the middle (a `description`, an
`inputs` list, an artifact id, a processor type); the server's CPU time (/proc) for 100
keystrokes typed at 10 a second into an `inputs` list, and over 2 idle seconds after;
peak memory; the floor. Median and p95 in milliseconds; the issue's targets follow the
tables, for information only (the exit code is 0 either way).

    .venv/bin/python benchmarks/lsp.py [--sizes 100,1000,5000] [--repeat 30]
        [--broken-sizes 1000,5000,20000] [--broken-repeat 10] [--keystrokes 100]
        [--profile FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import yaml
from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

import table  # benchmarks/table.py (the scripts run from this folder)
from analyse import Generated, generate
from broken_runbooks import BrokenRunbook, generate_broken

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
        self.published: dict[int, list[lsp.Diagnostic]] = {}  # by version
        self.waiting: dict[int, asyncio.Future[float]] = {}

        # Timed when the message has been read and parsed as JSON, before this client
        # library builds its objects from it (a second for 25,000 diagnostics): the
        # server's latency, not this client's.
        structure = self.protocol.structure_message
        read: dict[int, float] = {}

        def timed(data: dict[str, Any]) -> Any:
            if data.get("method") == lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
                version = data.get("params", {}).get("version")
                if isinstance(version, int):
                    read[version] = time.perf_counter()
            return structure(data)

        self.protocol.structure_message = timed  # type: ignore[method-assign]

        @self.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: lsp.PublishDiagnosticsParams) -> None:
            if params.version is None:
                return
            now = read.pop(params.version, time.perf_counter())
            self.arrived[params.version] = now
            self.published[params.version] = list(params.diagnostics)
            future = self.waiting.pop(params.version, None)
            if future is not None and not future.done():
                future.set_result(now)

    async def diagnostics_of(self, version: int) -> float:
        if version in self.arrived:
            return self.arrived[version]
        future = self.waiting.setdefault(version, asyncio.get_running_loop().create_future())
        return await asyncio.wait_for(future, 120)

    async def settled(self, uri: str, version: int) -> float:
        """When the client has the diagnostics of ``version``: their publish, or, when the
        edit left them as they were (the server publishes nothing then), the answer to a
        hover sent right after the edit (answered once that version is analysed)."""
        await asyncio.wait_for(
            self.text_document_hover_async(
                lsp.HoverParams(
                    text_document=lsp.TextDocumentIdentifier(uri=uri),
                    position=lsp.Position(line=0, character=0),
                )
            ),
            300,
        )
        answered = time.perf_counter()
        return self.arrived.get(version, answered)


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


# `--profile FILE`: the servers run under cProfile, which writes FILE.<size> at exit.
PROFILE: list[str] = []


async def start_server(directory: Path) -> tuple[Client, int]:
    """A `wct lsp` process initialized on ``directory``, and its process id."""
    client = Client()
    if PROFILE:
        out = f"{PROFILE[0]}.{directory.name}"
        await client.start_io(sys.executable, "-m", "cProfile", "-o", out, WCT, "lsp")
    else:
        await client.start_io(WCT, "lsp", cwd=str(directory))
    server = client._server  # the subprocess (for its memory and CPU time)
    assert server is not None
    await client.initialize_async(
        lsp.InitializeParams(
            capabilities=CAPABILITIES,
            root_uri=directory.as_uri(),
            initialization_options={"store": str(directory / ".waivern")},
        )
    )
    client.initialized(lsp.InitializedParams())
    return client, server.pid


async def stopped(client: Client) -> None:
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


def cpu_seconds(pid: int) -> float:
    """The process' CPU time so far (user and system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def line_change(line: int, old: str, new: str) -> lsp.TextDocumentContentChangePartial:
    return lsp.TextDocumentContentChangePartial(
        range=lsp.Range(
            start=lsp.Position(line=line, character=0),
            end=lsp.Position(line=line, character=len(old)),
        ),
        text=new,
    )


def changed(
    client: Client, uri: str, version: int, change: lsp.TextDocumentContentChangePartial
) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[change],
        )
    )


async def measure(size: int, repeat: int, directory: Path) -> list[str]:
    generated = generate(size, directory)
    uri = generated.path.as_uri()
    client, pid = await start_server(directory)
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
        edits.append((await client.settled(uri, version) - started) * 1000)
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
    await client.settled(uri, version)
    at_key = lsp.Position(line=generated.middle_key_line + 1, character=4)
    keys = await timed_requests(
        lambda: client.text_document_completion_async(
            lsp.CompletionParams(text_document=document, position=at_key)
        ),
        repeat,
    )

    memory = peak_mb(pid)
    await stopped(client)

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


BROKEN_HEADER = (
    "size",
    "lines",
    "problems",
    "published",
    "floor ms",
    "open ms",
    "description p50/p95",
    "inputs p50/p95",
    "id p50/p95",
    "type p50/p95",
    "/floor",
    "CPU s per keys",
    "idle CPU s",
    "peak MB",
)
EDIT_KINDS = ("description", "inputs", "id", "type")
KEYSTROKES_PER_SECOND = 10
IDLE_SECONDS = 2.0
TYPED = ", files_00001"  # typed into an `inputs` list, then erased, key by key
MORE = re.compile(r"… and ([\d,]+) more")


def problems_in(diagnostics: list[lsp.Diagnostic]) -> int:
    """The problems the published diagnostics stand for (a summary counts the ones it
    does not list)."""
    total = 0
    for diagnostic in diagnostics:
        more = MORE.match(diagnostic.message)
        total += int(more.group(1).replace(",", "")) if more else 1
    return total


def toggled(broken: BrokenRunbook, kind: str, line: str, number: int) -> str:
    """The edit of one kind, on every other call back to the original line."""
    if number % 2:
        return broken.text.split("\n")[edit_line(broken, kind)]
    if kind == "description":
        return f"{line} (edited)"
    if kind == "inputs":  # a reference to an artifact that does not exist
        return line.replace("]", ", archive_0000x]")
    if kind == "id":  # the artifacts using it now name an unknown one
        return line.replace(":", "x:")
    return line[:-1]  # type: personal_dat, an unknown processor


def edit_line(broken: BrokenRunbook, kind: str) -> int:
    return {
        "description": broken.description_line,
        "inputs": broken.inputs_line,
        "id": broken.id_line,
        "type": broken.type_line,
    }[kind]


async def measure_broken(size: int, repeat: int, keystrokes: int, directory: Path) -> list[str]:
    """A runbook with problems: reference edits, typing at 10 keys a second, idle."""
    broken = generate_broken(size, directory)
    uri = broken.path.as_uri()
    client, pid = await start_server(directory)
    begun = time.perf_counter()
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=uri, language_id="yaml", version=1, text=broken.text
            )
        )
    )
    open_ms = (await client.diagnostics_of(1) - begun) * 1000
    first = client.published[1]
    problems, listed = problems_in(first), len(first)

    lines = broken.text.split("\n")
    version = 1
    samples: dict[str, list[float]] = {kind: [] for kind in EDIT_KINDS}
    for number in range(repeat):
        for kind in EDIT_KINDS:
            line = edit_line(broken, kind)
            new = toggled(broken, kind, lines[line], number)
            version += 1
            begun = time.perf_counter()
            changed(client, uri, version, line_change(line, lines[line], new))
            samples[kind].append((await client.settled(uri, version) - begun) * 1000)
            lines[line] = new
    for kind in EDIT_KINDS:  # back to the text as generated
        line = edit_line(broken, kind)
        original = broken.text.split("\n")[line]
        if lines[line] != original:
            version += 1
            changed(client, uri, version, line_change(line, lines[line], original))
            lines[line] = original
    await client.settled(uri, version)

    # typing: one key every 100 ms, not waiting for anything
    line = broken.inputs_line
    column = lines[line].index("]")
    keys = [*TYPED, *(None for _ in TYPED)] * (keystrokes // (2 * len(TYPED)) + 1)
    typed = 0
    cpu_before = cpu_seconds(pid)
    begun = time.perf_counter()
    for number, key in enumerate(keys[:keystrokes]):
        await asyncio.sleep(max(0.0, begun + number / KEYSTROKES_PER_SECOND - time.perf_counter()))
        version += 1
        at = lsp.Position(line=line, character=column + typed)
        if key is None:  # backspace
            typed -= 1
            back = lsp.Position(line=line, character=column + typed)
            change = lsp.TextDocumentContentChangePartial(
                range=lsp.Range(start=back, end=at), text=""
            )
        else:
            typed += 1
            change = lsp.TextDocumentContentChangePartial(
                range=lsp.Range(start=at, end=at), text=key
            )
        changed(client, uri, version, change)
    await client.settled(uri, version)
    cpu = cpu_seconds(pid) - cpu_before
    idle_before = cpu_seconds(pid)
    await asyncio.sleep(IDLE_SECONDS)
    idle = cpu_seconds(pid) - idle_before

    memory = peak_mb(pid)
    await stopped(client)
    floor = floor_ms(broken.text, repeat)
    worst = max(percentiles(samples[kind])[0] for kind in EDIT_KINDS)
    return [
        f"{size:,}",
        f"{broken.lines:,}",
        f"{problems:,}",
        f"{listed:,}",
        f"{floor:.1f}",
        f"{open_ms:.0f}",
        *(pair(samples[kind]) for kind in EDIT_KINDS),
        f"{worst / floor:.2f}x",
        f"{cpu:.2f} / {keystrokes}",
        f"{idle:.2f}",
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


def broken_targets(rows: dict[int, list[str]]) -> list[str]:
    found = []
    for size, latency, cpu in ((1000, 30, 1.0), (5000, 100, 3.0), (20000, 400, 5.0)):
        row = rows.get(size)
        if row is None:
            continue
        worst = max(float(row[column].split("/")[0]) for column in range(6, 10))
        found.append(
            f"with problems, didChange -> diagnostics p50 <= {latency} ms at {size:,} "
            f"(slowest edit kind): {'PASS' if worst <= latency else 'MISS'} ({worst:.1f} ms)"
        )
        spent = float(row[11].split("/")[0])
        found.append(
            f"CPU for 100 keystrokes at 10/s <= {cpu:.0f} s at {size:,}: "
            f"{'PASS' if spent <= cpu else 'MISS'} ({spent:.2f} s)"
        )
        idle = float(row[12])
        found.append(
            f"idle CPU 0 at {size:,} (under 0.05 s in {IDLE_SECONDS:.0f} s): "
            f"{'PASS' if idle < 0.05 else 'MISS'} ({idle:.2f} s)"
        )
        if size == 20000:
            memory = float(row[13])
            found.append(
                f"peak memory <= 250 MB at 20,000: {'PASS' if memory <= 250 else 'MISS'} "
                f"({memory:.0f} MB)"
            )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--broken-sizes", default="1000,5000,20000")
    parser.add_argument("--broken-repeat", type=int, default=10)
    parser.add_argument("--keystrokes", type=int, default=100)
    parser.add_argument("--profile", help="run the servers under cProfile, into FILE.<size>")
    args = parser.parse_args()
    if args.profile:
        PROFILE.append(str(Path(args.profile).resolve()))
    sizes = [int(size) for size in args.sizes.split(",") if size]
    broken_sizes = [int(size) for size in args.broken_sizes.split(",") if size]
    rows: dict[int, list[str]] = {}
    broken_rows: dict[int, list[str]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            directory = Path(folder) / str(size)
            directory.mkdir()
            rows[size] = asyncio.run(measure(size, args.repeat, directory))
            print(f"measured {size:,} artifacts", file=sys.stderr)
        for size in broken_sizes:
            directory = Path(folder) / f"broken_{size}"
            directory.mkdir()
            broken_rows[size] = asyncio.run(
                measure_broken(size, args.broken_repeat, args.keystrokes, directory)
            )
            print(f"measured {size:,} artifacts with problems", file=sys.stderr)
    print(
        f"wct lsp over stdio; milliseconds, {args.repeat} samples per cell; the best case: "
        "a runbook without problems, `description:` edits"
    )
    table.print_table(HEADER, list(rows.values()), left_first=False)
    print()
    print(
        "runbooks with problems (about 1.3 per artifact, 11 kinds); milliseconds, "
        f"{args.broken_repeat} samples per edit kind; CPU s of the server for "
        f"{args.keystrokes} keystrokes typed at {KEYSTROKES_PER_SECOND}/s into an `inputs` "
        f"list; idle CPU s over the {IDLE_SECONDS:.0f} s after"
    )
    table.print_table(BROKEN_HEADER, list(broken_rows.values()), left_first=False)
    print()
    print(
        "for comparison (issue text): yaml-language-server 2.0 with the runbook schema, "
        "diagnostics 343 ms at 1,000 / 1,275 ms at 5,000, completion 122-126 / 654-683 ms, "
        "hover 23 / 136 ms, 745 MB at 5,000"
    )
    print("targets (information only):")
    for line in [*targets(rows), *broken_targets(broken_rows)]:
        print(f"  {line}")


if __name__ == "__main__":
    main()

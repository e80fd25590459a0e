"""Test components installed as a real plug-in, and helpers to run runbooks with them.

`plugin_folder` writes `waivern_test_components.py` and its
`waivern_test_components-0.0.0.dist-info/` (METADATA, entry_points.txt) into a folder:
on `PYTHONPATH` it is an installed distribution like any other, so `wct` subprocesses (and
the batch worker they start) discover its components through the entry-point groups.
In-process tests get the same components from `ComponentRegistry.discover()` while the
folder is on `sys.path` (only for that test: other tests must keep seeing the built-ins).

The components leave traces the tests count: with `record: FILE` (relative to the
runbook) every execution appends `start ID` and `end ID` lines, so executions can be
counted across processes and kills, and the most artifacts in progress at once read off.

Test modules import the helpers as `execution_support` (`tests/` is on pytest's
`pythonpath`); `tests/conftest.py` makes its fixtures available to every test folder.
"""

from __future__ import annotations

import io
import json
import os
import select
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from waivern_orchestration.cli.run_display import EventLines
from waivern_orchestration.components import ComponentRegistry
from waivern_orchestration.execution.outcome import RunOutcome
from waivern_orchestration.execution.runs import RunRequest, execute
from waivern_orchestration.store.run_store import ArtifactRecord, RunRecord, RunStore

PLUGIN_MODULE = "waivern_test_components"

PLUGIN_SOURCE = '''\
"""Components for the execution tests (installed through entry points)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from waivern_orchestration.components.base import (
    Connector,
    PendingProcessingError,
    Processor,
)
from waivern_orchestration.components.streams import BatchResult, ItemProcessor, Stream
from waivern_orchestration.message_schemas import STANDARD_INPUT


class Behaviour(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seconds: float = Field(default=0.0, description="Sleep this long.")
    until: str | None = Field(
        default=None, description="Stop sleeping once this file (beside the runbook) exists."
    )
    wait_for: str | None = Field(
        default=None,
        description="Like `until`, but fail if the file has not appeared after `seconds`.",
    )
    touch: str | None = Field(
        default=None, description="Create this file (beside the runbook) once done."
    )
    text: str | None = Field(default=None, description="Content of the item produced.")
    text_file: str | None = Field(
        default=None, description="Read the item's content from this file (beside the runbook)."
    )
    fail: str | None = Field(default=None, description="Fail with this error.")
    fail_unless: str | None = Field(
        default=None, description="Fail unless this file (relative to the runbook) exists."
    )
    record: str | None = Field(
        default=None, description="Append `start ID` / `end ID` lines to this file."
    )
    stubborn: bool = Field(
        default=False, description="Keep sleeping when the run stops (ignore `cancelled()`)."
    )
    unserialisable: bool = Field(default=False, description="Return content JSON cannot hold.")
    mode: Literal["concat", "count"] = Field(
        default="concat", description="Processors: pass every input item on, or count them."
    )


def _record(context: Any, properties: Behaviour, what: str) -> None:
    if properties.record is None:
        return
    line = f"{what} {context.artifact_id}\\n".encode()
    descriptor = os.open(
        Path(context.runbook_dir) / properties.record, os.O_WRONLY | os.O_APPEND | os.O_CREAT
    )
    try:
        os.write(descriptor, line)  # one write with O_APPEND: lines never interleave
    finally:
        os.close(descriptor)


def _behave(properties: Behaviour, context: Any) -> None:
    _record(context, properties, "start")
    try:
        marker = properties.fail_unless
        if marker is not None and not (Path(context.runbook_dir) / marker).exists():
            raise RuntimeError(f"{marker} is missing")
        deadline = time.monotonic() + properties.seconds
        awaited = properties.until or properties.wait_for
        release = Path(context.runbook_dir) / awaited if awaited else None
        while time.monotonic() < deadline and not (release and release.exists()):
            if context.cancelled() and not properties.stubborn:
                raise RuntimeError("cancelled")
            time.sleep(min(0.01, max(deadline - time.monotonic(), 0)))
        if properties.wait_for is not None and not (release and release.exists()):
            raise RuntimeError(f"{properties.wait_for} never appeared")
        if properties.fail is not None:
            raise RuntimeError(properties.fail)
        if properties.touch is not None:
            (Path(context.runbook_dir) / properties.touch).touch()
    finally:
        _record(context, properties, "end")


def _item(text: str, source: str) -> dict[str, Any]:
    return {"content": text, "metadata": {"source": source}}


class TestSource(Connector):
    name = "test_source"
    description = "Produces one item after sleeping; may fail; records its executions."
    Properties = Behaviour
    output_schemas = (STANDARD_INPUT,)

    def extract(self, properties: Any, context: Any) -> dict[str, Any]:
        _behave(properties, context)
        text = properties.text or context.artifact_id
        if properties.text_file is not None:
            text = (Path(context.runbook_dir) / properties.text_file).read_text()
        content: dict[str, Any] = {"items": [_item(text, context.artifact_id)]}
        if properties.unserialisable:
            content["seen"] = {1, 2}
        return content


class TestPass(Processor):
    name = "test_pass"
    description = "Passes every input item on (fan-in), or counts them."
    Properties = Behaviour
    output_schemas = (STANDARD_INPUT,)
    input_combinations = (frozenset({STANDARD_INPUT}),)

    def process(self, inputs: Sequence[Any], properties: Any, context: Any) -> dict[str, Any]:
        _behave(properties, context)
        items = [item for message in inputs for item in message.content["items"]]
        if properties.mode == "count":
            return {"items": [_item(f"{len(items)} item(s)", context.artifact_id)]}
        if properties.text is not None:
            items.append(_item(properties.text, context.artifact_id))
        return {"items": items}


class TestBatch(Processor):
    name = "test_batch"
    description = "Doubles the length of every input item's text in a batch job."
    Properties = Behaviour
    output_schemas = (STANDARD_INPUT,)
    input_combinations = (frozenset({STANDARD_INPUT}),)

    def process(self, inputs: Sequence[Any], properties: Any, context: Any) -> dict[str, Any]:
        _behave(properties, context)
        lengths = [len(item["content"]) for m in inputs for item in m.content["items"]]
        key = f"test_batch:{context.artifact_id}:{json.dumps(lengths)}"
        result = context.batch.result(key)
        if result is None:
            context.batch.submit(key, "local", "waivern_test_components:double", lengths)
            raise PendingProcessingError(f"{len(lengths)} length(s) sent to the local provider")
        return {"items": [_item(str(value), context.artifact_id) for value in result]}


def double(payload: list[int]) -> list[int]:
    """The batch handler (run by the local provider's worker process)."""
    return [2 * value for value in payload]


class StreamBehaviour(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(description="Items to stream: `item 0`, `item 1`, ...")
    item_seconds: float = Field(default=0.0, description="Sleep this long before each item.")
    log: str | None = Field(
        default=None,
        description="Absolute path: append `stream_from N` (connector) or `batch FIRST N` "
        "(processor) lines.",
    )
    token: str | None = Field(default=None, description="Unused: where a test puts a secret.")
    fail: bool = Field(default=False, description="Processor: every batch fails.")
    fail_while: str | None = Field(
        default=None,
        description="Processor: absolute path; while it exists, batches whose first item's "
        "`metadata.file` is `fail_from_file` or later fail.",
    )
    fail_from_file: str = Field(default="", description="See `fail_while`.")
    warn: bool = Field(default=False, description="Processor: one warning per batch.")


def _log(path: str | None, line: str) -> None:
    if path is None:
        return
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(descriptor, (line + "\\n").encode())
    finally:
        os.close(descriptor)


class TestStream(Connector):
    name = "test_stream"
    description = "Streams numbered items, going on after the checkpoint on a resume."
    Properties = StreamBehaviour
    output_schemas = (STANDARD_INPUT,)

    def extract(self, properties: Any, context: Any) -> Stream:
        done = context.checkpoint
        start = done.items if done is not None else 0
        if done is not None and done.last["content"] != f"item {start - 1}":
            raise RuntimeError(f"the checkpoint's last item is {done.last!r}")
        _log(properties.log, f"stream_from {start}")

        def items() -> Any:
            for number in range(start, properties.count):
                if context.cancelled():
                    return
                time.sleep(properties.item_seconds)
                yield _item(f"item {number}", f"n{number}")

        return Stream(items(), fields={"source": "test"}, start=start)


class TestItems(ItemProcessor):
    name = "test_items"
    description = "Upper-cases every item, batch by batch; counts them in `count`."
    Properties = StreamBehaviour
    output_schemas = (STANDARD_INPUT,)
    input_combinations = (frozenset({STANDARD_INPUT}),)
    lazy_inputs = True

    def process_items(self, items: list[Any], properties: Any) -> BatchResult:
        _log(properties.log, f"batch {items[0]['content']} {len(items)}")
        if properties.fail:
            raise RuntimeError("this batch fails")
        first = items[0].get("metadata", {}).get("file") or items[0]["content"]
        if properties.fail_while and os.path.exists(properties.fail_while):
            if str(first) >= properties.fail_from_file:
                raise RuntimeError(f"the batch from {first} fails")
        warnings = [f"warned at {first}"] if properties.warn else []
        time.sleep(properties.item_seconds * len(items))
        return BatchResult(
            [{**item, "content": item["content"].upper()} for item in items],
            warnings,
            scanned_bytes=sum(len(item["content"]) for item in items),
        )

    def summarise(self, outputs: Any, properties: Any, context: Any) -> dict[str, Any]:
        return {"count": sum(1 for _ in outputs)}
'''

ENTRY_POINTS = f"""\
[waivern.connectors]
test_source = {PLUGIN_MODULE}:TestSource
test_stream = {PLUGIN_MODULE}:TestStream

[waivern.processors]
test_batch = {PLUGIN_MODULE}:TestBatch
test_items = {PLUGIN_MODULE}:TestItems
test_pass = {PLUGIN_MODULE}:TestPass
"""

METADATA = f"""\
Metadata-Version: 2.1
Name: {PLUGIN_MODULE}
Version: 0.0.0
"""

REPO = Path(__file__).resolve().parents[2]


def write_plugin(folder: Path) -> Path:
    """The plug-in distribution, ready to be put on `PYTHONPATH` / `sys.path`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{PLUGIN_MODULE}.py").write_text(PLUGIN_SOURCE, encoding="utf-8")
    info = folder / f"{PLUGIN_MODULE}-0.0.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(METADATA, encoding="utf-8")
    (info / "entry_points.txt").write_text(ENTRY_POINTS, encoding="utf-8")
    return folder


def plugin_env(folder: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a subprocess that sees the plug-in (and nothing of the user's
    store settings)."""
    env = {key: value for key, value in os.environ.items() if key != "WCT_STORE"}
    paths = [str(folder), *filter(None, [env.get("PYTHONPATH")])]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    # Wide, so that long temporary paths do not wrap; `test_run_commands` checks what
    # happens at the default width.
    env["COLUMNS"] = "10000"
    env.update(extra or {})
    return {key: value for key, value in env.items() if value}


@pytest.fixture(scope="session")
def plugin_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_plugin(tmp_path_factory.mktemp("plugin"))


@pytest.fixture
def registry(plugin_folder: Path, monkeypatch: pytest.MonkeyPatch) -> ComponentRegistry:
    """The test components, discovered from their entry points; the batch worker processes
    started meanwhile import the handler from the same folder."""
    monkeypatch.syspath_prepend(str(plugin_folder))
    monkeypatch.setenv("PYTHONPATH", plugin_env(plugin_folder)["PYTHONPATH"])
    discovered = ComponentRegistry.discover()
    assert {"test_source"} <= set(discovered.connectors), discovered.problems
    assert {"test_pass", "test_batch"} <= set(discovered.processors), discovered.problems
    return discovered


# -- a folder to run runbooks in --------------------------------------------------------


@dataclass
class Workspace:
    """A runbook folder with its own store; `record: runs.log` in the runbooks writes the
    execution log read by `executions()` and `most_at_once()`."""

    folder: Path
    plugin: Path
    store: Path = field(init=False)

    def __post_init__(self) -> None:
        self.store = self.folder / ".waivern"

    @property
    def log(self) -> Path:
        return self.folder / "runs.log"

    def write(self, name: str, text: str) -> Path:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def log_lines(self) -> list[tuple[str, str]]:
        if not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return [(what, artifact) for what, _, artifact in (line.partition(" ") for line in lines)]

    def executions(self) -> Counter[str]:
        """How often each artifact's component started, over every process so far."""
        return Counter(artifact for what, artifact in self.log_lines() if what == "start")

    def most_at_once(self) -> int:
        """The most components between `start` and `end` at the same moment."""
        running = most = 0
        for what, _ in self.log_lines():
            running += 1 if what == "start" else -1
            most = max(most, running)
        return most

    # -- in process --------------------------------------------------------------------

    def run(
        self,
        runbook: Path,
        registry: ComponentRegistry,
        resume: str | None = None,
        notices: list[str] | None = None,
    ) -> tuple[RunOutcome, list[dict[str, Any]]]:
        """Run (or resume) in this process; the outcome and the `--events` lines."""
        out = io.StringIO()
        outcome = execute(
            RunRequest(runbook, self.store, resume=resume, registry=registry, env={}),
            EventLines(out),
            (notices if notices is not None else []).append,
        )
        return outcome, [json.loads(line) for line in out.getvalue().splitlines()]

    # -- as a user does ----------------------------------------------------------------

    def wct_command(self, *args: str | Path) -> list[str]:
        return [sys.executable, "-m", "waivern_orchestration.cli.app", *map(str, args)]

    def wct(
        self, *args: str | Path, timeout: float = 60, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`wct ARGS` in the workspace folder; ``env`` adds (or, with "", removes) variables."""
        return subprocess.run(
            self.wct_command(*args),
            cwd=self.folder,
            env=plugin_env(self.plugin, env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start_wct(
        self, *args: str | Path, env: Mapping[str, str] | None = None
    ) -> subprocess.Popen[str]:
        """A `wct` process left running (stdout piped, line by line)."""
        return subprocess.Popen(
            self.wct_command(*args),
            cwd=self.folder,
            env=plugin_env(self.plugin, env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    # -- the store, read as `wct inspect` reads it -------------------------------------

    def run_record(self, run_id: str) -> RunRecord:
        with RunStore(self.store, read_only=True) as store:
            return store.run(run_id)

    def artifacts(self, run_id: str) -> dict[str, ArtifactRecord]:
        with RunStore(self.store, read_only=True) as store:
            return {record.artifact_id: record for record in store.artifacts(run_id)}

    def statuses(self, run_id: str) -> dict[str, str]:
        return {artifact: record.status for artifact, record in self.artifacts(run_id).items()}

    def messages(self, run_id: str) -> dict[str, dict[str, Any]]:
        """Every stored message of the run, by artifact (as `wct inspect RUN ID --json`)."""
        with RunStore(self.store, read_only=True) as store:
            found = {}
            for record in store.artifacts(run_id):
                message = store.message(run_id, record.artifact_id)
                if message is not None:
                    found[record.artifact_id] = message.to_json()
            return found


@pytest.fixture
def workspace(tmp_path: Path, plugin_folder: Path) -> Workspace:
    folder = tmp_path / "project"
    folder.mkdir()
    return Workspace(folder, plugin_folder)


# -- runbooks ---------------------------------------------------------------------------


def runbook_text(
    artifacts: Mapping[str, Mapping[str, Any]],
    *,
    name: str = "Test runbook",
    config: Mapping[str, Any] | None = None,
    header: Mapping[str, Any] | None = None,
) -> str:
    """A runbook as YAML (JSON is YAML): generated runbooks stay valid by construction."""
    document: dict[str, Any] = {"name": name, "description": "written by a test"}
    if config:
        document["config"] = dict(config)
    document.update(header or {})
    document["artifacts"] = {key: dict(value) for key, value in artifacts.items()}
    return json.dumps(document, indent=1) + "\n"


def wait_for_batch_workers(store: Path, timeout: float = 60) -> None:
    """Block until every worker process the `local` batch provider started for this store
    has exited (a pidfd becomes readable when its process ends: no polling)."""
    for pid_file in sorted((store / "jobs").glob("*/worker.pid")):
        try:
            descriptor = os.pidfd_open(int(pid_file.read_text(encoding="utf-8")))
        except ProcessLookupError:
            continue  # already gone
        try:
            ready, _, _ = select.select([descriptor], [], [], timeout)
            assert ready, f"the batch worker of {pid_file.parent.name} still runs after {timeout} s"
        finally:
            os.close(descriptor)


def source(**properties: Any) -> dict[str, Any]:
    """A `test_source` artifact (``record`` defaults to the workspace log)."""
    return {"source": {"type": "test_source", "properties": {"record": "runs.log", **properties}}}


def derived(inputs: str | Sequence[str], **properties: Any) -> dict[str, Any]:
    """A `test_pass` artifact over ``inputs``."""
    return {
        "inputs": inputs if isinstance(inputs, str) else list(inputs),
        "process": {"type": "test_pass", "properties": {"record": "runs.log", **properties}},
    }


def first_event(events: Sequence[dict[str, Any]], kind: str, artifact: str) -> int:
    return next(
        index
        for index, event in enumerate(events)
        if event["event"] == kind and event.get("artifact") == artifact
    )


def events_of(lines: str) -> Iterator[dict[str, Any]]:
    for line in lines.splitlines():
        if line.strip():
            yield json.loads(line)


def child_runbook_project(workspace: Workspace, child: str, name: str = "runbook.yaml") -> Path:
    """A parent whose `scan` runs the child runbook ``child`` (saved as analysis.yaml) on
    `files`, with `report` downstream of the child's `findings` output."""
    workspace.write("analysis.yaml", child)
    return workspace.write(
        name,
        runbook_text(
            {
                "files": source(text="hello"),
                "scan": {
                    "inputs": "files",
                    "child_runbook": {
                        "path": "analysis.yaml",
                        "input_mapping": {"documents": "files"},
                        "output": "findings",
                    },
                },
                "report": {**derived("scan"), "output": True},
            }
        ),
    )

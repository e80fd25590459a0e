"""kill -9 in the middle of streamed artifacts, then resume: the batches stored before the
kill are kept, only what was in flight is done again, and the output is the same as a
clean run's — nothing lost, nothing counted twice.

Two runs: the test components (a connector streaming 12,000 numbered items, an item-wise
processor over them), killed once in each artifact when its progress events say that
3,000 items are stored; and the real scan (`filesystem` → `personal_data` →
`findings_summary`) over generated files, killed while `personal_data` is halfway, whose
findings must equal those of a run that was never killed.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

from execution_support import Workspace, runbook_text
from runbook_samples import FULL_SCAN
from waivern_orchestration.store.run_store import RunStore

COUNT = 12_000


def _kill_when(
    process: subprocess.Popen[str],
    artifact: str,
    key: str,
    at_least: int,
    children: list[int] | None = None,
) -> str:
    """Read events until ``artifact`` reports ``key`` ≥ ``at_least`` (the store holds
    what the event counts), then SIGKILL; the run id. ``children``: filled with the
    process's children at the moment of the kill."""
    assert process.stdout is not None
    run_id = ""
    for line in process.stdout:
        event = json.loads(line)
        run_id = event["run_id"]
        if event["event"] == "artifact_finished" and event["artifact"] == artifact:
            raise AssertionError(f"{artifact} finished before the kill: give it more work")
        if (
            event["event"] == "artifact_progress"
            and event["artifact"] == artifact
            and event[key] >= at_least
        ):
            break
    if children is not None:
        children += _children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stdout.close()
    assert process.stderr is not None
    process.stderr.close()
    assert run_id, "the run never started"
    return run_id


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _alive(pid: int) -> bool:
    """Running (not gone, and not a zombie waiting for its parent)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _stored(workspace: Workspace, run_id: str, artifact: str) -> Any:
    with RunStore(workspace.store, read_only=True) as store:
        message = store.message(run_id, artifact)
        assert message is not None, artifact
        return {
            key: list(value) if not isinstance(value, dict | str | int) else value
            for key, value in message.content.items()
        }


def _log(path: Path) -> list[list[str]]:
    return [line.split() for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_killed_stream_resumes_after_its_last_stored_batch(workspace: Workspace) -> None:
    log = workspace.folder / "stream.log"
    slow = {"count": COUNT, "item_seconds": 0.0002, "log": str(log)}
    runbook = workspace.write(
        "runbook.yaml",
        runbook_text(
            {
                "numbers": {"source": {"type": "test_stream", "properties": slow}},
                "upper": {
                    "inputs": "numbers",
                    "process": {"type": "test_items", "properties": slow},
                    "output": True,
                },
            }
        ),
    )
    command = ("run", runbook, "--events", "--store", workspace.store)
    run_id = _kill_when(workspace.start_wct(*command), "numbers", "items", 3000)
    with RunStore(workspace.store, read_only=True) as store:
        stored_at_kill = store.stored_stream(run_id, "numbers").items
    assert 3000 <= stored_at_kill < COUNT

    resumed = workspace.start_wct(*command, "--resume", run_id)
    assert _kill_when(resumed, "upper", "items", 3000) == run_id
    finished = workspace.wct(*command, "--resume", run_id)
    assert finished.returncode == 0, finished.stderr

    numbers = _stored(workspace, run_id, "numbers")["items"]
    assert [item["content"] for item in numbers] == [f"item {n}" for n in range(COUNT)]
    upper = _stored(workspace, run_id, "upper")
    assert [item["content"] for item in upper["items"]] == [f"ITEM {n}" for n in range(COUNT)]
    assert upper["count"] == COUNT

    lines = _log(log)
    # The connector started twice: from 0, then after the last item stored at the kill.
    starts = [int(line[1]) for line in lines if line[0] == "stream_from"]
    assert starts[0] == 0 and starts[1] >= stored_at_kill and len(starts) == 2
    # Each batch of the processor ran once, except those in flight at the kill (twice).
    batches = Counter(" ".join(line[1:3]) for line in lines if line[0] == "batch")
    assert len(batches) == COUNT // 1000
    assert sum(count - 1 for count in batches.values()) <= 2, batches


def _corpus(folder: Path) -> None:
    chooser = random.Random(7)
    words = "the order was sent to our customer with a note about the invoice and delivery"
    vocabulary = words.split()
    folder.mkdir()
    for number in range(32):
        lines = []
        for row in range(12_000):
            line = " ".join(chooser.choice(vocabulary) for _ in range(9))
            if row % 40 == 0:
                line += f" contact person{number}.{row}@mail{row % 7}.org"
            if row % 300 == 0:
                area, number_part = chooser.randrange(100, 999), chooser.randrange(100000, 999999)
                line += f" or +44 7{area} {number_part}"
            lines.append(line)
        (folder / f"part-{number:02}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_scan_killed_halfway_finds_what_a_clean_run_finds(workspace: Workspace) -> None:
    _corpus(workspace.folder / "data")
    runbook = workspace.write("runbook.yaml", FULL_SCAN)
    command = ("run", runbook, "--events", "--store", workspace.store)
    # Two worker processes scan (the corpus is big enough for them to start).
    workers: list[int] = []
    parallel = workspace.start_wct(*command, "--workers", "2")
    run_id = _kill_when(parallel, "findings", "bytes", 8_000_000, workers)
    assert len(workers) >= 2, workers
    # The workers die with the run's process (SIGKILL leaves it no time to stop them).
    deadline = time.monotonic() + 10
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if _alive(pid)], "worker processes outlived the run"

    finished = workspace.wct(*command, "--workers", "1", "--resume", run_id, timeout=120)
    assert finished.returncode == 0, finished.stderr

    clean = workspace.wct(*command, "--workers", "1", timeout=120)
    assert clean.returncode == 0, clean.stderr
    clean_id = json.loads(clean.stdout.splitlines()[0])["run_id"]

    resumed_findings = _stored(workspace, run_id, "findings")
    clean_findings = _stored(workspace, clean_id, "findings")
    assert len(clean_findings["findings"]) > 5000
    assert resumed_findings == clean_findings
    assert _stored(workspace, run_id, "summary") == _stored(workspace, clean_id, "summary")

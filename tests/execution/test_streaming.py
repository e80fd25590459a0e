"""Streamed outputs: items go to the store batch by batch and are read back lazily; the
text of scanned files stays in the files; `inspect`, `reuse`, fan-in and processors
written before streams all keep working on them."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from execution_support import Workspace, derived, runbook_text
from runbook_samples import FULL_SCAN
from waivern_orchestration.components import ComponentRegistry
from waivern_orchestration.store.run_store import RunStore


def stream(count: int, **properties: Any) -> dict[str, Any]:
    return {"source": {"type": "test_stream", "properties": {"count": count, **properties}}}


def items_of(inputs: str | list[str], **properties: Any) -> dict[str, Any]:
    return {
        "inputs": inputs,
        "process": {"type": "test_items", "properties": {"count": 0, **properties}},
    }


def batches_of(workspace: Workspace, run_id: str, artifact: str) -> list[int]:
    db = sqlite3.connect(workspace.store / "runs.db")
    try:
        rows = db.execute(
            "SELECT items FROM batches WHERE run_id = ? AND artifact_id = ? ORDER BY position",
            (run_id, artifact),
        ).fetchall()
    finally:
        db.close()
    return [count for (count,) in rows]


def stored_items(workspace: Workspace, run_id: str, artifact: str) -> list[Any]:
    with RunStore(workspace.store, read_only=True) as store:
        message = store.message(run_id, artifact)
        assert message is not None
        return list(message.content["items"])


def test_a_streamed_output_is_stored_in_batches_and_read_back_whole(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    runbook = workspace.write(
        "runbook.yaml",
        runbook_text(
            {
                "numbers": stream(2500),
                "upper": items_of("numbers"),
                "everything": derived(["upper", "numbers"], mode="count"),
            }
        ),
    )
    outcome, _ = workspace.run(runbook, registry)
    assert outcome.status == "completed"

    assert batches_of(workspace, outcome.run_id, "numbers") == [1000, 1000, 500]
    assert sum(batches_of(workspace, outcome.run_id, "upper")) == 2500
    upper = stored_items(workspace, outcome.run_id, "upper")
    assert [item["content"] for item in upper] == [f"ITEM {n}" for n in range(2500)]
    # The envelope holds the summary the processor made from the stored items.
    envelope = json.loads(
        sqlite3.connect(workspace.store / "runs.db")
        .execute(
            "SELECT message_json FROM messages WHERE run_id = ? AND artifact_id = 'upper'",
            (outcome.run_id,),
        )
        .fetchone()[0]
    )
    assert envelope["content"] == {"items": {"$stream": {"items": 2500}}, "count": 2500}
    # A processor written before streams (`test_pass`) is given plain lists.
    counted = stored_items(workspace, outcome.run_id, "everything")
    assert [item["content"] for item in counted] == ["5000 item(s)"]


def test_inspect_prints_a_streamed_output_whole_or_by_pages(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    runbook = workspace.write("runbook.yaml", runbook_text({"numbers": stream(1500)}))
    outcome, _ = workspace.run(runbook, registry)

    whole = workspace.wct("inspect", outcome.run_id, "numbers", "--store", workspace.store)
    assert whole.returncode == 0, whole.stderr
    message = json.loads(whole.stdout)
    assert [item["content"] for item in message["content"]["items"]] == [
        f"item {n}" for n in range(1500)
    ]
    assert message["content"]["source"] == "test"
    assert "page" not in message
    # The same text `json.dump(..., indent=2)` gives for the whole message.
    assert whole.stdout == json.dumps(message, indent=2) + "\n"

    paged = workspace.wct(
        "inspect", outcome.run_id, "numbers", "--offset", "999", "--limit", "3", "--json",
        "--store", workspace.store,
    )  # fmt: skip
    page = json.loads(paged.stdout)
    assert [item["content"] for item in page["content"]["items"]] == [
        "item 999",
        "item 1000",
        "item 1001",
    ]
    assert page["page"] == {"field": "items", "offset": 999, "limit": 3, "total": 1500}


def test_reuse_of_a_streamed_output_copies_its_batches(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    first = workspace.write("first.yaml", runbook_text({"numbers": stream(1200)}))
    earlier, _ = workspace.run(first, registry)
    reusing = workspace.write(
        "second.yaml",
        runbook_text(
            {
                "numbers": {
                    "reuse": {"from_run": earlier.run_id, "artifact": "numbers"},
                    "output_schema": "standard_input/1.0.0",
                },
                "upper": items_of("numbers"),
            }
        ),
    )
    outcome, _ = workspace.run(reusing, registry)
    assert outcome.status == "completed"
    assert batches_of(workspace, outcome.run_id, "numbers") == [1000, 200]
    upper = stored_items(workspace, outcome.run_id, "upper")
    assert [item["content"] for item in upper][-1] == "ITEM 1199"


def test_fan_in_without_a_processor_streams_the_inputs_one_after_the_other(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    runbook = workspace.write(
        "runbook.yaml",
        runbook_text(
            {
                "a": stream(3),
                "b": stream(1001),
                "both": {"inputs": ["a", "b"], "merge": "concatenate"},
            }
        ),
    )
    outcome, _ = workspace.run(runbook, registry)
    assert outcome.status == "completed"
    both = [item["content"] for item in stored_items(workspace, outcome.run_id, "both")]
    assert both == ["item 0", "item 1", "item 2", *(f"item {n}" for n in range(1001))]


def test_scanned_text_stays_in_its_files_and_is_read_where_it_is_used(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    data = workspace.folder / "data"
    data.mkdir()
    line = "Contact jane.doe@company.org or call +44 20 7946 0123 about order 4471.\n"
    for number in range(40):
        (data / f"note-{number:02}.txt").write_text(line * 2000, encoding="utf-8")
    scanned = sum(path.stat().st_size for path in data.iterdir())
    runbook = workspace.write("runbook.yaml", FULL_SCAN)
    outcome, _ = workspace.run(runbook, registry)
    assert outcome.status == "completed"

    store_size = (workspace.store / "runs.db").stat().st_size
    assert store_size < 0.05 * scanned, (store_size, scanned)
    with RunStore(workspace.store, read_only=True) as store:
        files = store.message(outcome.run_id, "files")
        summary = store.message(outcome.run_id, "summary")
    assert files is not None and summary is not None
    assert summary.content["total"] == 80  # an e-mail address and a phone number per file
    # `wct inspect` shows the text, read from the file.
    shown = workspace.wct(
        "inspect", outcome.run_id, "files", "--limit", "1", "--store", workspace.store
    )
    assert json.loads(shown.stdout)["content"]["items"][0]["content"] == line * 2000

    # A file changed since the run: read as it is now, and said so.
    (data / "note-00.txt").write_text("changed\n", encoding="utf-8")
    shown = workspace.wct(
        "inspect", outcome.run_id, "files", "--limit", "1", "--store", workspace.store
    )
    assert json.loads(shown.stdout)["content"]["items"][0]["content"] == "changed\n"
    assert "changed since it was listed" in shown.stderr


def test_a_file_bigger_than_a_chunk_gives_the_findings_of_its_whole_text(
    workspace: Workspace, registry: ComponentRegistry, monkeypatch: Any
) -> None:
    from waivern_orchestration.components import personal_data

    data = workspace.folder / "data"
    data.mkdir()
    lines = [f"row {n}: customer{n % 700}@shop.example.net paid with card\n" for n in range(9000)]
    (data / "big.log").write_text("".join(lines), encoding="utf-8")
    runbook = workspace.write(
        "runbook.yaml",
        """\
        name: scan
        description: one big file
        artifacts:
          files:
            source: {type: filesystem, properties: {path: data}}
          findings:
            inputs: files
            process: {type: personal_data}
            output: true
        """,
    )
    whole, _ = workspace.run(runbook, registry)
    monkeypatch.setattr(personal_data, "CHUNK_CHARS", 10_000)
    monkeypatch.setattr(personal_data, "CHUNK_MARGIN", 600)
    chunked, _ = workspace.run(runbook, registry)

    def findings(run_id: str) -> list[Any]:
        with RunStore(workspace.store, read_only=True) as store:
            message = store.message(run_id, "findings")
            assert message is not None
            return list(message.content["findings"])

    expected = findings(whole.run_id)
    assert len(expected) == 700
    assert findings(chunked.run_id) == expected


def test_an_item_processor_is_given_the_text_of_files_unless_it_reads_them_itself(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    data = workspace.folder / "data"
    data.mkdir()
    (data / "a.txt").write_text("first file\n", encoding="utf-8")
    (data / "b.txt").write_text("second file\n", encoding="utf-8")
    runbook = workspace.write(
        "runbook.yaml",
        runbook_text(
            {
                "files": {"source": {"type": "filesystem", "properties": {"path": "data"}}},
                "upper": items_of("files"),
            }
        ),
    )
    outcome, _ = workspace.run(runbook, registry)
    assert outcome.status == "completed"
    upper = stored_items(workspace, outcome.run_id, "upper")
    assert [item["content"] for item in upper] == ["FIRST FILE\n", "SECOND FILE\n"]


def test_a_page_far_into_an_output_gives_the_items_at_its_offset(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    runbook = workspace.write("runbook.yaml", runbook_text({"numbers": stream(3500)}))
    outcome, _ = workspace.run(runbook, registry)
    with RunStore(workspace.store, read_only=True) as store:
        message = store.message(outcome.run_id, "numbers")
        assert message is not None
        items = message.content["items"]
        for offset in (0, 999, 1000, 1001, 2999, 3000, 3499, 3500, 9000):
            expected = [f"item {n}" for n in range(offset, 3500)]
            assert [item["content"] for item in items.from_offset(offset)] == expected


UPPER_CHILD = """\
name: Upper
description: upper-cases a sensitive input, batch by batch
inputs:
  documents:
    input_schema: standard_input/1.0.0
    sensitive: true
outputs:
  upper:
    artifact: upper
artifacts:
  upper:
    inputs: documents
    process:
      type: test_items
      properties: {count: 0, fail_while: MARKER, fail_from_file: f02000.txt, warn: true}
"""


def test_a_checkpoint_made_from_inputs_produced_again_is_not_kept(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    # `files` feeds a sensitive child input: it is never stored, and a resume reads the
    # files again, as they are now. What `upper` stored from the old text must not stay.
    data = workspace.folder / "data"
    data.mkdir()
    for number in range(2500):
        (data / f"f{number:05}.txt").write_text(f"old {number}\n", encoding="utf-8")
    marker = workspace.folder / "FAIL"
    marker.touch()
    workspace.write("upper.yaml", UPPER_CHILD.replace("MARKER", str(marker)))
    runbook = workspace.write(
        "runbook.yaml",
        runbook_text(
            {
                "files": {"source": {"type": "filesystem", "properties": {"path": "data"}}},
                "scan": {
                    "inputs": "files",
                    "child_runbook": {
                        "path": "upper.yaml",
                        "input_mapping": {"documents": "files"},
                        "output": "upper",
                    },
                    "output": True,
                },
            }
        ),
    )
    failed, _ = workspace.run(runbook, registry)
    assert failed.status == "failed"
    upper = next(name for name in workspace.artifacts(failed.run_id) if name.endswith("upper"))
    assert batches_of(workspace, failed.run_id, upper) == [1000, 1000]
    # Each batch is stored with the warnings it gave.
    db = sqlite3.connect(workspace.store / "runs.db")
    stored = db.execute(
        "SELECT position, warnings_json FROM batches WHERE artifact_id = ? ORDER BY position",
        (upper,),
    ).fetchall()
    db.close()
    assert [(position, json.loads(warned)) for position, warned in stored] == [
        (0, ["warned at f00000.txt"]),
        (1, ["warned at f01000.txt"]),
    ]

    for number in range(2500):
        (data / f"f{number:05}.txt").write_text(f"new {number}\n", encoding="utf-8")
    marker.unlink()
    resumed, _ = workspace.run(runbook, registry, resume=failed.run_id)
    assert resumed.status == "completed"
    contents = [item["content"] for item in stored_items(workspace, failed.run_id, upper)]
    assert contents == [f"NEW {number}\n" for number in range(2500)]
    assert workspace.artifacts(failed.run_id)[upper].warnings == (
        "warned at f00000.txt",
        "warned at f01000.txt",
        "warned at f02000.txt",
    )


def test_a_damaged_stored_batch_is_one_line_not_a_traceback(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    runbook = workspace.write("runbook.yaml", runbook_text({"numbers": stream(1500)}))
    outcome, _ = workspace.run(runbook, registry)
    db = sqlite3.connect(workspace.store / "runs.db")
    db.execute("UPDATE batches SET data = x'00ff00' WHERE position = 1")
    db.commit()
    db.close()
    for page in ((), ("--offset", "1200", "--limit", "5")):
        shown = workspace.wct(
            "inspect", outcome.run_id, "numbers", *page, "--store", workspace.store
        )
        assert shown.returncode == 2, shown.stderr
        assert shown.stderr.count("\n") == 1 and "Traceback" not in shown.stderr
        assert shown.stderr.startswith("wct: the run store at ")
        assert "cannot give the stored output of `numbers`" in shown.stderr

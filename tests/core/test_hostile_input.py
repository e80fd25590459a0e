"""Hostile input costs no more than the limits: a file is measured before it is read (a
1 GiB file, `/dev/zero`, an endless FIFO), a runbook named by another is never waited on,
an analysis never raises, and thousands of the same problem are listed a hundred times
and counted after that."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from runbook_samples import SCAN
from waivern_orchestration.analysis import analyse, artifact_check
from waivern_orchestration.analysis import analyser as analyser_module
from waivern_orchestration.diagnostics import MAX_PER_CODE
from waivern_orchestration.parse.runbook_file import RunbookTooLarge, read_runbook
from waivern_orchestration.parse.yaml_tree import DEFAULT_LIMITS, to_python

HEAD = "name: hostile\ndescription: hostile\nartifacts:\n"


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as file:
        file.truncate(1 << 30)  # 1 GiB, sparse: reading it would cost a gigabyte

    with pytest.raises(RunbookTooLarge) as refused:
        read_runbook(big, limit=1000)

    assert refused.value.size == 1 << 30
    assert "the file is 1,073,741,824 bytes, over the limit of 1,000 characters" in (
        refused.value.message
    )


def test_an_endless_device_is_read_only_up_to_the_limit() -> None:
    with pytest.raises(RunbookTooLarge) as refused:
        read_runbook(Path("/dev/zero"), limit=100_000)

    assert refused.value.size is None
    assert "goes past the limit of 100,000 characters" in refused.value.message


def test_a_file_within_the_character_limit_is_read_whatever_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "accents.yaml"
    path.write_text("é" * 1000, encoding="utf-8")  # 1,000 characters, 2,000 bytes

    assert read_runbook(path, limit=1000) == "é" * 1000


def test_an_endless_fifo_named_on_the_command_line_is_read_up_to_the_limit(
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "runbook.yaml"
    os.mkfifo(fifo)
    stop = threading.Event()

    def write_forever() -> None:
        try:
            with fifo.open("w") as stream:
                while not stop.is_set():
                    stream.write("a: b\n" * 1000)
        except BrokenPipeError:
            pass  # the reader gave up: as it should

    writer = threading.Thread(target=write_forever, daemon=True)
    writer.start()
    try:
        with pytest.raises(RunbookTooLarge):
            read_runbook(fifo, limit=1_000_000)
    finally:
        stop.set()
        writer.join(timeout=30)
    assert not writer.is_alive()


def test_a_fifo_named_as_a_child_runbook_is_refused_without_waiting(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "child.yaml")  # nobody ever writes to it
    text = (
        HEAD + "  scan:\n    child_runbook:\n      path: child.yaml\n"
        "      output: findings\n    output: true\n"
    )

    analysis = analyse(text, tmp_path / "parent.yaml")

    [unread] = [d for d in analysis.diagnostics if d.code == "WCT041"]
    assert "`child.yaml` is not a regular file" in unread.message


def test_wct_validate_refuses_a_huge_file_and_dev_zero_with_one_diagnostic_each(
    tmp_path: Path,
) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as file:
        file.truncate(1 << 30)

    finished = subprocess.run(
        [sys.executable, "-m", "waivern_orchestration.cli.app", "validate", str(big), "/dev/zero"],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert finished.returncode == 1, finished.stderr
    lines = finished.stdout.splitlines()
    refused = f"{big}:1:1: error WCT001 document refused: the file is 1,073,741,824 bytes"
    assert lines[0].startswith(refused)
    assert lines[1].startswith("/dev/zero:1:1: error WCT001 document refused: the input goes past")
    assert "Traceback" not in finished.stderr


def test_an_analysis_that_raises_is_one_diagnostic(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(analyser_module, "check_runbook", broken)

    analysis = analyse(SCAN, "scan.yaml")

    [diagnostic] = analysis.diagnostics
    assert diagnostic.code == "WCT001"
    assert "could not be analysed (RecursionError)" in diagnostic.message


def test_a_runbook_of_more_artifacts_than_the_limit_is_one_refusal() -> None:
    # 85,000 short artifacts fit in the size limit; each would cost the analysis 4 KB.
    count = DEFAULT_LIMITS.max_entries + 1
    text = HEAD + "".join(
        f"  a{i}: {{inputs: a{i + 1}, process: {{type: personal_data}}}}\n" for i in range(count)
    )
    assert len(text) < DEFAULT_LIMITS.max_chars

    diagnostics = analyse(text, "many.yaml", env={}).diagnostics

    assert [(d.code, d.range.start.line) for d in diagnostics] == [("WCT001", 3)]
    assert f"more than {DEFAULT_LIMITS.max_entries:,} entries in one mapping" in (
        diagnostics[0].message
    )


def test_ten_thousand_edges_of_a_cycle_are_listed_a_hundred_times_then_counted() -> None:
    count = 10_000
    text = HEAD + "".join(
        f"  a{i}:\n    inputs: a{(i + 1) % count}\n    process:\n      type: personal_data\n"
        for i in range(count)
    )

    diagnostics = analyse(text, "cycle.yaml").diagnostics

    cycles = [d for d in diagnostics if d.code == "WCT011"]
    assert len(cycles) == MAX_PER_CODE + 1
    assert "dependency cycle of 10000 artifacts" in cycles[0].message
    assert cycles[-1].message.startswith(f"… and {count - MAX_PER_CODE:,} more WCT011 problems")
    assert cycles[-1].unlisted == count - MAX_PER_CODE
    assert sum(d.problems for d in cycles) == count
    assert cycles[-1].range.start.line > cycles[-2].range.start.line


def test_unknown_fields_past_the_first_hundred_are_counted_not_listed() -> None:
    count = 5_000
    text = (
        HEAD
        + "  a:\n    source:\n      type: filesystem\n      properties:\n        path: .\n"
        + "".join(f"    unknown_{i}: x\n" for i in range(count))
        + "    output: true\n"
    )

    diagnostics = analyse(text, "fields.yaml").diagnostics

    assert [d.code for d in diagnostics] == ["WCT002"] * MAX_PER_CODE
    assert "unknown field `unknown_0` in artifact `a`" in diagnostics[0].message
    assert "unknown field `unknown_98`" in diagnostics[MAX_PER_CODE - 2].message
    listed = MAX_PER_CODE - 1
    assert diagnostics[-1].message == (
        f"… and {count - listed:,} more problems in artifact `a`, not listed"
    )
    assert sum(d.problems for d in diagnostics) == count


@pytest.mark.parametrize(
    ("unknown", "extra"),
    [
        (99, ""),
        (100, ""),
        (101, ""),
        (250, ""),
        (250, "    output: maybe\n    inputs: 3\n"),  # errors in known fields too
        (250, "    unknown_7: again\n    unknown_180: again\n"),  # repeated unknown keys
    ],
)
@pytest.mark.parametrize("where", ["artifact", "properties"])
def test_unknown_keys_left_out_of_validation_give_the_same_diagnostics(
    monkeypatch: pytest.MonkeyPatch, unknown: int, extra: str, where: str
) -> None:
    """Past the first hundred unknown keys the data validated leaves them out and counts
    them; the diagnostics are those of validating every key."""
    if where == "artifact":
        keys = "".join(f"    unknown_{i}: x\n" for i in range(unknown)) + extra
        body = "    source:\n      type: filesystem\n      properties:\n        path: .\n" + keys
    else:
        keys = "".join(
            f"        unknown_{i}: ${{UNSET_{i}}}\n" if i % 7 == 0 else f"        unknown_{i}: x\n"
            for i in range(unknown)
        )
        body = "    source:\n      type: filesystem\n      properties:\n        path: .\n" + keys
        body += extra.replace("    ", "        ")
    text = HEAD + "  a:\n" + body + "    output: true\n"

    trimmed = analyse(text, "keys.yaml", env={}).diagnostics
    monkeypatch.setattr(
        artifact_check, "validated_data", lambda node, model, **_: (to_python(node), 0)
    )
    whole = analyse(text, "keys.yaml", env={}).diagnostics

    assert [d.to_json() for d in trimmed] == [d.to_json() for d in whole]


def test_a_hundred_of_one_code_are_all_listed() -> None:
    text = HEAD + "  a:\n    inputs: [" + ", ".join(f"m{i}" for i in range(MAX_PER_CODE)) + "]\n"
    text += "    process:\n      type: personal_data\n    output: true\n"

    diagnostics = analyse(text, "refs.yaml").diagnostics

    assert [d.code for d in diagnostics] == ["WCT010"] * MAX_PER_CODE
    assert not any("more WCT010" in d.message for d in diagnostics)


def test_an_analysis_leaves_no_cyclic_garbage_per_artifact() -> None:
    """What an analysis drops is freed by reference counting: garbage that only the cyclic
    collector finds piles up in a long-running language server between its collections
    (a 2 MB runbook opened and closed grew it by megabytes each time)."""
    count = 500
    text = HEAD + "".join(
        f"  files_{i}:\n    source:\n      type: filesystem\n      properties:\n"
        f"        path: ./shard_{i}\n        include: ['${{PATTERN:-*.txt}}']\n"
        f"  findings_{i}:\n    inputs: files_{i}\n    process:\n      type: personal_data\n"
        "    output: true\n"
        for i in range(count)
    )
    gc.collect()
    gc.disable()
    try:
        analysis = analyse(text, "many.yaml", env={})
        assert not any(d.is_error for d in analysis.diagnostics)
        del analysis
        found = gc.collect()
    finally:
        gc.enable()

    assert found < count // 2, f"{found} objects in reference cycles for {count} artifacts"


def test_wct_run_refuses_a_huge_file_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as file:
        file.truncate(1 << 30)

    finished = subprocess.run(
        [sys.executable, "-m", "waivern_orchestration.cli.app", "run", str(big)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )

    assert finished.returncode == 1
    assert "document refused: the file is 1,073,741,824 bytes" in finished.stderr
    assert "Traceback" not in finished.stderr


def test_wct_validate_counts_the_problems_it_does_not_list(tmp_path: Path) -> None:
    count = 150
    names = ", ".join(f"missing_{i}" for i in range(count))
    runbook = tmp_path / "refs.yaml"
    runbook.write_text(
        HEAD + f"  a:\n    inputs: [{names}]\n    process:\n      type: personal_data\n"
        "    output: true\n",
        encoding="utf-8",
    )

    finished = subprocess.run(
        [sys.executable, "-m", "waivern_orchestration.cli.app", "validate", str(runbook)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    wct = [sys.executable, "-m", "waivern_orchestration.cli.app"]
    as_json = subprocess.run(
        [*wct, "validate", "--format", "json", str(runbook)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert finished.stderr == "1 file checked: 150 errors\n"
    assert len(finished.stdout.splitlines()) == MAX_PER_CODE + 1
    summary = json.loads(as_json.stdout)["diagnostics"][-1]
    assert summary["unlisted"] == count - MAX_PER_CODE

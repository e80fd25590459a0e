"""The `filesystem` connector: which files it reads, what it skips (with a warning), and
the `standard_input/1.0.0` content it produces."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from component_fakes import FakeContext, assert_matches_schema, gathered

from waivern_orchestration.components import file_text
from waivern_orchestration.components.filesystem import FilesystemConnector, FilesystemProperties
from waivern_orchestration.components.streams import Checkpoint, Stream
from waivern_orchestration.message_schemas import STANDARD_INPUT


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """data/ with text, a CSV, a log, a binary file, a Latin-1 file, and sub-folders."""
    folder = tmp_path / "data"
    files = {
        "notes.txt": "Call Jane on +44 20 7946 0958.\n",
        "customers.csv": "name,email\nJane Doe,jane@acme.io\n",
        "app.log": "2024-03-02 10:00:01 login from 81.2.69.160\n",
        "drafts/secret.txt": "draft\n",
        "sub/deep/readme.md": "# Readme\n",
    }
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (folder / "image.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (folder / "latin1.txt").write_bytes("Grüße aus Köln\n".encode("latin-1"))
    return folder


def extract(context: FakeContext, **properties: Any) -> dict[str, Any]:
    content = gathered(
        FilesystemConnector().extract(FilesystemProperties(**properties), context), context
    )
    assert_matches_schema(content, STANDARD_INPUT)
    return content


def files_of(content: dict[str, Any]) -> list[str]:
    return [item["metadata"]["file"] for item in content["items"]]


def test_reads_every_text_file_in_sorted_order(data: Path, context: FakeContext) -> None:
    content = extract(context, path="data")

    assert content["source"] == "data"
    assert files_of(content) == [
        "app.log",
        "customers.csv",
        "drafts/secret.txt",
        "notes.txt",
        "sub/deep/readme.md",
    ]
    [csv] = [item for item in content["items"] if item["metadata"]["file"] == "customers.csv"]
    assert csv == {
        "content": "name,email\nJane Doe,jane@acme.io\n",
        "metadata": {"source": "customers.csv", "connector": "filesystem", "file": "customers.csv"},
    }


def test_binary_and_undecodable_files_are_skipped_with_a_warning(
    data: Path, context: FakeContext
) -> None:
    extract(context, path="data")

    assert context.warnings == [
        "skipped binary file 'image.bin'",
        "skipped 'latin1.txt': not utf-8 text (invalid start byte at byte 2)",
    ]


def test_the_encoding_property_decodes_other_encodings(data: Path, context: FakeContext) -> None:
    content = extract(context, path="data", include=["latin1.txt"], encoding="latin-1")

    assert [item["content"] for item in content["items"]] == ["Grüße aus Köln\n"]
    assert context.warnings == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_skipped_with_a_warning(data: Path, context: FakeContext) -> None:
    locked = data / "locked.txt"
    locked.write_text("secret", encoding="utf-8")
    locked.chmod(0)
    try:
        content = extract(context, path="data", include=["*.txt"])
    finally:
        locked.chmod(0o600)

    assert files_of(content) == ["notes.txt"]
    assert "skipped unreadable file 'locked.txt': Permission denied" in context.warnings


@pytest.mark.parametrize(
    ("include", "exclude", "expected"),
    [
        (["*.txt"], [], ["notes.txt"]),  # `*` stays in the folder
        (["**/*.txt"], [], ["drafts/secret.txt", "notes.txt"]),  # `**` spans folders
        (["**/*.txt"], ["drafts/**"], ["notes.txt"]),  # exclude wins
        (
            ["**/*"],
            ["drafts", "sub", "*.bin", "latin1.*"],
            ["app.log", "customers.csv", "notes.txt"],
        ),
        (["*.csv", "*.log"], [], ["app.log", "customers.csv"]),
        (["sub/**/*.md"], [], ["sub/deep/readme.md"]),
        (["*.[cl]??"], [], ["app.log", "customers.csv"]),
    ],
)
def test_include_and_exclude_globs_are_relative_to_path(
    data: Path,
    context: FakeContext,
    include: list[str],
    exclude: list[str],
    expected: list[str],
) -> None:
    content = extract(context, path="data", include=include, exclude=exclude)

    assert files_of(content) == expected


def test_max_files_reads_the_first_files_and_warns_once(data: Path, context: FakeContext) -> None:
    content = extract(context, path="data", include=["**/*.txt", "*.csv", "*.log"], max_files=2)

    assert files_of(content) == ["app.log", "customers.csv"]
    assert context.warnings == [
        "max_files is 2: skipped 3 more matching files (from 'drafts/secret.txt' on)"
    ]


def test_a_single_file_can_be_read(data: Path, context: FakeContext) -> None:
    content = extract(context, path="data/notes.txt")

    assert content["source"] == "data/notes.txt"
    assert files_of(content) == ["notes.txt"]


def test_an_absolute_path_is_not_joined_to_the_runbook_dir(data: Path, tmp_path: Path) -> None:
    elsewhere = FakeContext(runbook_dir=tmp_path / "somewhere" / "else")

    content = extract(elsewhere, path=str(data), include=["notes.txt"])

    assert files_of(content) == ["notes.txt"]


def test_a_missing_path_is_a_one_line_error(context: FakeContext, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as raised:
        extract(context, path="missing")

    assert str(raised.value) == f"path 'missing' does not exist ({tmp_path / 'missing'})"


def test_a_folder_without_matching_files_gives_no_items_and_a_warning(
    data: Path, context: FakeContext
) -> None:
    content = extract(context, path="data", include=["*.pdf"])

    assert content == {"source": "data", "items": []}
    assert context.warnings == ["no files under 'data' match include/exclude"]


def test_a_cancelled_run_stops_reading(data: Path, context: FakeContext) -> None:
    context.stop = True

    assert extract(context, path="data")["items"] == []


def test_a_file_that_cannot_be_read_is_skipped_with_a_warning(
    data: Path, context: FakeContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Works as root too, where chmod 000 does not stop reading.
    def refuse_notes(path: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(path).name == "notes.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return open(path, *args, **kwargs)

    monkeypatch.setattr(file_text, "open", refuse_notes, raising=False)

    content = extract(context, path="data", include=["*.txt", "*.csv"])

    assert files_of(content) == ["customers.csv"]
    assert "skipped unreadable file 'notes.txt': Permission denied" in context.warnings


def test_a_resume_goes_on_after_the_last_file_stored_even_once_it_is_gone(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("c.txt", "d.txt"):
        (folder / name).write_text(f"{name}\n", encoding="utf-8")
    # An earlier attempt stored a.txt and b.txt; both were archived before the resume.
    context = FakeContext(tmp_path)
    context.checkpoint = Checkpoint(2, {"metadata": {"file": "b.txt"}})
    stream = FilesystemConnector().extract(FilesystemProperties(path="data"), context)
    assert isinstance(stream, Stream)
    assert stream.start == 2  # the two stored are not taken from the files still there
    assert [item["metadata"]["file"] for item in stream.items] == ["c.txt", "d.txt"]


def test_a_fifo_where_a_listed_file_was_is_skipped_not_waited_for(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.txt").write_text("a\n", encoding="utf-8")
    ref = file_text.fingerprint(folder / "a.txt", "a.txt", "utf-8")
    (folder / "a.txt").unlink()
    os.mkfifo(folder / "a.txt")  # nothing will ever write to it
    warnings: list[str] = []
    item = file_text.resolved({"content": ref, "metadata": {"file": "a.txt"}}, warnings.append)
    assert item["content"] is None
    assert warnings == [f"cannot read {str(folder / 'a.txt')!r} any more: not a regular file"]
    with pytest.raises(file_text.SkippedFile, match="not a regular file"):
        file_text.fingerprint(folder / "a.txt", "a.txt", "utf-8")

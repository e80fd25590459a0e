"""A big file is scanned in chunks (`personal_data.scan_entry` over `file_text.text_chunks`)
and gives exactly the findings of a scan of its whole text — values, locations (lines),
occurrence counts, evidence and its masking — wherever the chunk boundaries fall, also
through a value or its evidence. Hypothesis places the boundaries at random in random text
built from personal data, separators and unicode."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_matching import FRAGMENTS

from waivern_orchestration.components import personal_data
from waivern_orchestration.components.file_text import fingerprint, text_chunks
from waivern_orchestration.components.pd_rules import load_ruleset
from waivern_orchestration.components.personal_data import EvidenceOptions, scan_entry, scan_item

# Chunk-boundary tests need text: no NULs (a NUL in the first bytes marks a binary file).
PIECES = [piece for piece in FRAGMENTS if "\x00" not in piece]
texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=300).map("".join)
# Lines of up to 12 pieces (under 200 characters), enough of them for several chunks with
# a margin of 400 characters. Matching restarts in step with a whole-text scan at a line
# break: a chunk's margin holds one, so any boundary gives the whole text's findings. (Text
# with no line break for longer than the margin, 64 KiB in a real scan, may be split
# differently where a boundary falls inside it.)
lines = st.lists(st.sampled_from(PIECES), max_size=12).map(lambda pieces: "".join(pieces))
long_texts = st.lists(lines, min_size=20, max_size=80).map("\n".join)


def chunked(text: str, chunk_chars: int, margin: int, ruleset: str) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "notes.txt"
        path.write_text(text, encoding="utf-8", newline="")
        ref = fingerprint(path, "notes.txt", "utf-8")
        item = {"content": ref, "metadata": {"source": "notes.txt", "file": "notes.txt"}}
        warnings: list[str] = []
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(personal_data, "CHUNK_CHARS", chunk_chars)
            patch.setattr(personal_data, "CHUNK_MARGIN", margin)
            found, scanned = scan_entry(
                item, load_ruleset(ruleset), EvidenceOptions(), warnings.append
            )
        assert warnings == []
        assert scanned == len(text.removeprefix("\ufeff"))
        return found


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=long_texts,
    chunk_chars=st.integers(1, 400),
    ruleset=st.sampled_from(["default", "strict"]),
)
def test_chunked_findings_equal_whole_text_findings(
    text: str, chunk_chars: int, ruleset: str
) -> None:
    item = {"content": text, "metadata": {"source": "notes.txt", "file": "notes.txt"}}
    whole = scan_item(item, load_ruleset(ruleset), EvidenceOptions())
    # The margin outlasts the longest value and its evidence (40 characters each side).
    assert chunked(text, chunk_chars, 400, ruleset) == whole


@settings(max_examples=60, deadline=None)
@given(text=texts, chunk_chars=st.integers(1, 300), margin=st.integers(0, 50))
def test_chunks_cover_the_text_once_and_give_the_line_numbers(
    text: str, chunk_chars: int, margin: int
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "notes.txt"
        path.write_text(text, encoding="utf-8", newline="")
        ref = fingerprint(path, "notes.txt", "utf-8")
        chunks = list(text_chunks(ref, [].append, chunk_chars=chunk_chars, margin=margin))
    assert chunks[-1].last and not any(chunk.last for chunk in chunks[:-1])
    position = 0
    for chunk in chunks:
        assert chunk.core_start == position
        assert chunk.text == text[chunk.offset : chunk.offset + len(chunk.text)]
        assert chunk.line == text.count("\n", 0, chunk.offset)
        assert chunk.offset <= chunk.core_start <= chunk.core_end
        position = chunk.core_end
    assert position == len(text)


def test_a_file_that_changed_since_it_was_listed_is_read_as_it_is_with_a_warning(
    tmp_path: Path,
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("mail ada@example.com\n", encoding="utf-8")
    ref = fingerprint(path, "notes.txt", "utf-8")
    assert ref["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_text("mail bob@example.org\n", encoding="utf-8")
    warnings: list[str] = []
    item = {"content": ref, "metadata": {"source": "notes.txt", "file": "notes.txt"}}
    found, _ = scan_entry(item, load_ruleset("default"), EvidenceOptions(), warnings.append)
    assert [finding["value"] for finding in found] == ["b***@example.org"]
    assert warnings == [f"{str(path)!r} changed since it was listed (its SHA-256 differs): "
                        "read as it is now"]  # fmt: skip


@pytest.mark.parametrize("size", [0, 5, 8192, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 << 20])
def test_a_fingerprint_has_the_files_size_and_hash_whatever_its_size(
    tmp_path: Path, size: int
) -> None:
    data = (b"line of text\n" * (size // 13 + 1))[:size]
    path = tmp_path / "notes.txt"
    path.write_bytes(data)
    ref = fingerprint(path, "notes.txt", "utf-8")
    assert (ref["size"], ref["sha256"]) == (size, hashlib.sha256(data).hexdigest())

"""The analysis result types: every field of `ArtifactInfo` declares its role once, and
moving an artifact (an edit above it added lines) moves every position it holds."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from runbook_samples import CHILD, PARENT
from waivern_orchestration.analysis import analyse
from waivern_orchestration.analysis.facts import ArtifactInfo, moved
from waivern_orchestration.parse.positions import Position, Range


def test_every_artifact_field_says_whether_the_runbook_checks_read_it() -> None:
    kept_apart = {"tree", "tree_shift", "_shifted_tree", "_definition"}
    for item in fields(ArtifactInfo):
        if item.name in kept_apart:
            continue
        assert item.metadata.get("outline") or item.metadata.get("own"), (
            f"ArtifactInfo.{item.name}: give it a role (_OUTLINE, _OWN, ...)"
        )


def test_a_moved_artifact_is_the_artifact_analysed_lower_down() -> None:
    texts = {"child.yaml": CHILD}

    def read(path: Path) -> str | None:
        return texts.get(path.name)

    with_env = PARENT.replace("path: data", "path: ${DATA:-data}")
    here = analyse(with_env, "/work/parent.yaml", env={}, read_text=read)
    lower = analyse("\n\n\n" + with_env, "/work/parent.yaml", env={}, read_text=read)

    for before, after in zip(here.artifact_list, lower.artifact_list, strict=True):
        assert before.shifted(3) == after
        assert before.shifted(3).range == after.range
        assert before.shifted(3).node == after.node


def test_moved_reaches_into_tuples_and_leaves_other_values_alone() -> None:
    start = Range(Position(1, 2), Position(1, 5))
    assert moved(((start, "x"), None, 7), 2) == ((start.shifted(2), "x"), None, 7)
    assert moved(start, 0) is start

"""Re-checking after an in-place edit (`recheck`): the runbook-wide checks run again
for the edited artifacts only, and the result is the one a fresh analysis gives.

A runbook of many small groups with problems of every runbook-wide kind (unknown and
repeated inputs, more unknown names than are listed, cycles, schemas that do not fit,
unused artifacts, unset variables) is edited line by line the way users edit: inputs
lists, processor and connector types, `output`, variables, ids. After every edit the
incremental analysis must equal a fresh one, including what it keeps for the next edit.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest

from analysis_facts import public_facts
from waivern_orchestration.analysis import Analysis, analyse, analyser
from waivern_orchestration.analysis.runbook_check import check_runbook
from waivern_orchestration.components.registry import default_registry
from waivern_orchestration.diagnostics import Diagnostic

GROUPS = 55
ENV = {"DIR_0": "data", "DIR_3": "other"}
GROUP_KEY = re.compile(r"^  [a-z]+_(\d+)")


def group(index: int) -> str:
    # pd ↔ sum, and the next group's sum feeding that cycle
    cycle = f", sum_{index}, sum_{index + 1}" if index % 4 == 1 else ""
    ghost = (
        f"""
  extra_{index}:
    inputs: [sum_{index}, ghost_{index}_a, ghost_{index}_b, ghost_{index}_c]
"""
        if index % 5
        else ""
    )
    return f"""
  src_{index}:
    source:
      type: filesystem
      properties:
        path: ${{DIR_{index}}}
  pd_{index}:
    inputs: [src_{index}{cycle}]
    process:
      type: personal_data
  sum_{index}:
    inputs: [pd_{index}]
    process:
      type: findings_summary
    output: true
{ghost}"""


ARTIFACTS = "artifacts:" + "".join(group(index) for index in range(GROUPS))
RUNBOOK = (
    "name: Many groups\ndescription: Groups of three artifacts, edited in place.\n"
    "outputs:\n  first:\n    artifact: sum_0\n" + ARTIFACTS
)
# A child runbook (it declares inputs): its sources are WCT047 too.
CHILD = (
    "name: A child\ndescription: Takes documents from its parent.\n"
    "inputs:\n  documents:\n    input_schema: standard_input/1.0.0\n" + ARTIFACTS
)


def group_of(lines: list[str], number: int) -> str:
    """The group number of the artifact whose block holds the line."""
    for above in reversed(lines[: number + 1]):
        key = GROUP_KEY.match(above)
        if key is not None:
            return key.group(1)
    return "0"


def variants(lines: list[str], number: int, rng: random.Random) -> list[str]:
    """What a user may write on this line instead (the same number of lines)."""
    line = lines[number]
    # mostly the artifact's own group (cycles, schemas along it), else any other
    own = group_of(lines, number)
    other = own if rng.random() < 0.5 else str(rng.randrange(GROUPS))
    indent = line[: len(line) - len(line.lstrip())]
    stripped = line.strip()
    if stripped.startswith("inputs: [") and stripped.endswith("]") and rng.random() < 0.4:
        # one more input, the others kept: cycles the edit may close, or not
        return [
            f"{line[:-1]}, {name}]"
            for name in (f"extra_{other}", f"pd_{int(own) - 1}", f"src_{other}", f"sum_{own}")
        ]
    if stripped.startswith("inputs: [src_"):
        return [
            f"{indent}inputs: [src_{other}]",
            f"{indent}inputs: [sum_{other}]",  # a cycle when it is its own group
            f"{indent}inputs: [src_{other}, src_{other}]",
            f"{indent}inputs: [missing_{other}]",
            f"{indent}inputs: [src_{other}, pd_{other}]",
            f"{indent}inputs: [src_{other}, extra_{other}]",  # a cycle through sum
            f"{indent}inputs: []",
        ]
    if stripped.startswith(("inputs: [pd_", "inputs: [ghost_")):
        return [
            f"{indent}inputs: [pd_{other}]",
            f"{indent}inputs: [pd_{other}, src_{other}]",
            f"{indent}inputs: [ghost_{other}_a]",
            f"{indent}inputs: [pd_{other}, ghost_{other}_b, pd_{other}]",
            f"{indent}inputs: [sum_{other}]",
            f"{indent}inputs: [src_{other}]",
            f"{indent}inputs: [pd_{int(own) - 1}]",  # closes the cycle it feeds
        ]
    if stripped.startswith("type: "):
        return [
            f"{indent}type: {name}"
            for name in ("personal_data", "findings_summary", "personal_dat", "filesystem")
        ]
    if stripped.startswith("path: "):
        return [f"{indent}path: ${{DIR_{other}}}", f"{indent}path: data", f"{indent}path: 3"]
    if stripped.startswith("output: "):
        return [f"{indent}output: false", f"{indent}output: true", f"{indent}description: x"]
    if stripped.endswith(":") and indent == "  " and "_" in stripped:
        return [f"  {stripped[:-1]}x:", f"  sum_{other}:", f"  {stripped}"]
    return []


def facts(analysis: Analysis) -> tuple[Any, ...]:
    state = analysis.engine.checks
    used = +state.uses if state is not None and state.uses is not None else None
    return (
        *public_facts(analysis),
        # what the next edit starts from
        sorted(analysis.engine.runbook_diagnostics, key=Diagnostic.sort_key),
        analysis.engine.sorted_diagnostics,
        used,
    )


def analysed(text: str, path: Path, previous: Analysis | None = None) -> Analysis:
    return analyse(text, path, previous=previous, env=ENV, registry=default_registry())


def test_the_runbook_has_problems_of_every_runbook_wide_kind(tmp_path: Path) -> None:
    analysis = analysed(RUNBOOK, tmp_path / "runbook.yaml")

    codes = {diagnostic.code for diagnostic in analysis.diagnostics}
    assert {"WCT010", "WCT050", "WCT090"} <= codes
    unknown = [d for d in analysis.diagnostics if d.code == "WCT010"]
    assert unknown[-1].unlisted  # more than are listed


@pytest.mark.parametrize(("runbook", "seed"), [(RUNBOOK, 0), (RUNBOOK, 1), (CHILD, 2)])
def test_in_place_edits_give_what_a_fresh_analysis_gives(
    tmp_path: Path, runbook: str, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked_anew = 0

    def counted(*args: Any) -> Any:
        nonlocal checked_anew
        checked_anew += 1
        return check_runbook(*args)

    rng = random.Random(seed)
    path = tmp_path / "runbook.yaml"
    lines = runbook.split("\n")
    previous = analysed(runbook, path)
    edits = 80
    for _ in range(edits):
        choices: list[tuple[int, list[str]]] = []
        while not choices:
            # mostly the first groups: edits that meet the ones before
            number = rng.randrange(len(lines) // (6 if rng.random() < 0.7 else 1))
            found = variants(lines, number, rng)
            if found:
                choices.append((number, found))
        number, found = choices[0]
        lines[number] = rng.choice(found)
        text = "\n".join(lines)

        with monkeypatch.context() as patched:
            patched.setattr(analyser, "check_runbook", counted)
            incremental = analysed(text, path, previous=previous)
        fresh = analysed(text, path)

        assert facts(incremental) == facts(fresh), (number, lines[number])
        previous = incremental
    assert checked_anew <= edits * 3 // 4  # most of these edits are re-checked


def test_a_listed_unknown_name_gets_the_closest_id_and_the_others_none(tmp_path: Path) -> None:
    path = tmp_path / "runbook.yaml"
    analysis = analysed(RUNBOOK.replace("inputs: [pd_1]", "inputs: [pd_01]"), path)

    unknown = [d for d in analysis.diagnostics if d.code == "WCT010" and not d.unlisted]
    assert unknown[0].message == "unknown artifact `pd_01` in `inputs`; did you mean `pd_1`?"
    assert len(unknown) == 100
    assert all("did you mean" in d.message for d in unknown if "ghost" not in d.message)


def test_diagnostics_an_edit_did_not_change_are_the_same_objects(tmp_path: Path) -> None:
    """An editor finds them unchanged by identity: summaries and suggestions included."""
    path = tmp_path / "runbook.yaml"
    text = RUNBOOK.replace("inputs: [pd_1]", "inputs: [pd_01]")
    before = analysed(text, path)
    last = f"path: ${{DIR_{GROUPS - 1}}}"
    after = analysed(text.replace(last, "path: data"), path, previous=before)

    suggested = [d for d in before.diagnostics if "did you mean" in d.message]
    summaries = [d for d in before.diagnostics if d.unlisted]
    assert suggested and summaries
    kept = {id(d) for d in after.diagnostics}
    assert all(id(d) in kept for d in [*suggested, *summaries])
    assert len(after.diagnostics) == len(before.diagnostics) - 1  # its WCT050 went


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # an artifact on a cycle takes one it reaches: a bigger cycle
        ("inputs: [src_1, sum_1, sum_2]", "inputs: [src_1, sum_1, sum_2, extra_1]"),
        # one feeding a cycle takes an artifact on it: it joins the cycle
        ("inputs: [pd_2]", "inputs: [pd_2, pd_1]"),
        # one takes itself
        ("inputs: [pd_3]", "inputs: [pd_3, sum_3]"),
        # one on a cycle takes one it does not reach: the cycle stays as it was
        ("inputs: [src_1, sum_1, sum_2]", "inputs: [src_1, sum_1, sum_2, src_7]"),
        # one on a cycle gives up an edge of it: the cycle opens
        ("inputs: [src_1, sum_1, sum_2]", "inputs: [src_1, sum_2]"),
    ],
)
def test_an_edit_that_closes_or_opens_a_cycle_gives_what_a_fresh_analysis_gives(
    tmp_path: Path, old: str, new: str
) -> None:
    path = tmp_path / "runbook.yaml"
    assert old in RUNBOOK
    text = RUNBOOK.replace(old, new, 1)

    incremental = analysed(text, path, previous=analysed(RUNBOOK, path))

    assert facts(incremental) == facts(analysed(text, path))


def rechecked(
    monkeypatch: pytest.MonkeyPatch, text: str, path: Path, previous: Analysis
) -> Analysis:
    """The incremental analysis of ``text``, failing when it checks the whole runbook."""

    def whole(*args: Any) -> Any:
        raise AssertionError("the whole runbook was checked")

    with monkeypatch.context() as patched:
        patched.setattr(analyser, "check_runbook", whole)
        return analysed(text, path, previous=previous)


@pytest.mark.parametrize(
    ("old", "new", "before"),
    [
        # the artifact others take: they name an unknown one now, then again not
        ("  pd_6:\n", "  pd_6x:\n", {}),
        # to a name others took while unknown, one of them on a cycle
        (
            "  src_40:\n",
            "  late_1:\n",
            {"inputs: [src_1, sum_1, sum_2]": "inputs: [src_1, sum_1, sum_2, late_1]"},
        ),
        # to a name an artifact behind a cycle took: it comes after in the order
        ("  src_43:\n", "  ghost_1_b:\n", {}),
    ],
)
def test_a_rename_and_back_re_check_the_artifacts_naming_either_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, before: dict[str, str]
) -> None:
    path = tmp_path / "runbook.yaml"
    text = RUNBOOK
    for was, now in before.items():
        assert was in text
        text = text.replace(was, now, 1)
    first = analysed(text, path)
    assert old in text
    renamed = text.replace(old, new, 1)

    incremental = rechecked(monkeypatch, renamed, path, first)
    back = rechecked(monkeypatch, text, path, incremental)

    assert facts(incremental) == facts(analysed(renamed, path))
    assert incremental.diagnostics != first.diagnostics
    assert facts(back) == facts(first)


def test_a_rename_gives_the_unknown_names_around_their_new_closest_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "runbook.yaml"
    text = RUNBOOK.replace("inputs: [pd_2]", "inputs: [pd_02]")
    previous = analysed(text, path)
    renamed = text.replace("  pd_2:\n", "  pd_020:\n")

    incremental = rechecked(monkeypatch, renamed, path, previous)

    unknown = "unknown artifact `pd_02` in `inputs`; did you mean"
    assert [d.message for d in previous.diagnostics if d.message.startswith(unknown)] == [
        f"{unknown} `pd_2`?"
    ]
    assert [d.message for d in incremental.diagnostics if d.message.startswith(unknown)] == [
        f"{unknown} `pd_020`?"
    ]
    assert facts(incremental) == facts(analysed(renamed, path))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("  pd_5:\n", "  sum_6:\n"),  # an id taken: a duplicate
        ("  pd_1:\n", "  pd_1x:\n"),  # on a cycle: the cycle opens
        ("  sum_0:\n", "  sum_0x:\n"),  # the runbook's `outputs` names it
        ("  src_3:\n", "  pd_3x:\n"),  # to a name ... taken by no one: re-checked
    ],
)
def test_renames_the_checks_cannot_follow_in_place_give_a_fresh_analysis(
    tmp_path: Path, old: str, new: str
) -> None:
    path = tmp_path / "runbook.yaml"
    renamed = RUNBOOK.replace(old, new, 1)

    incremental = analysed(renamed, path, previous=analysed(RUNBOOK, path))

    assert facts(incremental) == facts(analysed(renamed, path))


def test_an_artifact_that_takes_one_on_a_cycle_is_behind_it_for_the_next_edit(
    tmp_path: Path,
) -> None:
    """pd_7 takes pd_1 (on a cycle); then pd_1 takes pd_7: a new, bigger cycle, although
    pd_7 took nothing from a cycle when the DAG was ordered."""
    path = tmp_path / "runbook.yaml"
    behind = RUNBOOK.replace("inputs: [src_7]", "inputs: [src_7, pd_1]", 1)
    closed = behind.replace("inputs: [src_1, sum_1, sum_2]", "inputs: [src_1, sum_1, sum_2, pd_7]")

    first = analysed(behind, path, previous=analysed(RUNBOOK, path))
    second = analysed(closed, path, previous=first)

    assert facts(first) == facts(analysed(behind, path))
    assert facts(second) == facts(analysed(closed, path))
    assert any("pd_7" in d.message for d in second.diagnostics if d.code == "WCT011")


def test_a_rename_that_drops_the_new_name_from_its_own_inputs(tmp_path: Path) -> None:
    """One paste renames `pd_6` to the unknown name it took as input, and drops that
    input: the artifact holding the new name before is the renamed one itself."""
    path = tmp_path / "runbook.yaml"
    before = RUNBOOK.replace("  pd_6:\n    inputs: [src_6]", "  pd_6:\n    inputs: [src_6, late_6]")
    after = before.replace("  pd_6:\n    inputs: [src_6, late_6]", "  late_6:\n    inputs: [src_6]")
    assert before != RUNBOOK and after != before

    incremental = analysed(after, path, previous=analysed(before, path))

    assert facts(incremental) == facts(analysed(after, path))

"""Where a `child_runbook.path` leads: the runbook's own directory first, then
`config.template_paths` relative to the runbook's directory (never the working
directory); a file whose real path lies outside those directories is refused (WCT040),
one found nowhere is WCT041."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from runbook_samples import CHILD as CHILD_RUNBOOK
from waivern_orchestration.analysis import analyse
from waivern_orchestration.analysis.child_paths import (
    ChildLocation,
    locate_child,
    search_directories,
)
from waivern_orchestration.planner import Planner

CHILD = "name: Child\ndescription: A child runbook.\nartifacts: {}\n"


@dataclass(frozen=True)
class Layout:
    """A project with a runbook directory, a template folder, a folder outside both, and
    a working directory elsewhere that holds look-alike files."""

    project: Path
    outside: Path
    elsewhere: Path


@pytest.fixture
def layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Layout:
    project = tmp_path / "project"
    outside = tmp_path / "outside"
    elsewhere = tmp_path / "elsewhere"
    files = [
        project / "child.yaml",
        project / "shared.yaml",
        project / "nested" / "child.yaml",
        project / "templates" / "shared.yaml",
        project / "templates" / "analysis.yaml",
        outside / "secret.yaml",
        outside / "library" / "library.yaml",
        elsewhere / "templates" / "analysis.yaml",
        elsewhere / "templates" / "only_in_cwd.yaml",
        elsewhere / "cwd_child.yaml",
    ]
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(CHILD, encoding="utf-8")
    # A working directory that would give other answers if it were searched.
    monkeypatch.chdir(elsewhere)
    return Layout(project, outside, elsewhere)


def found(location: ChildLocation) -> Path:
    assert location.code is None, location.message
    assert location.path is not None
    return location.path


def test_a_child_next_to_the_runbook_is_found(layout: Layout) -> None:
    location = locate_child("child.yaml", layout.project, [])

    assert found(location) == (layout.project / "child.yaml").resolve()


def test_a_child_in_a_subdirectory_of_the_runbook_is_found(layout: Layout) -> None:
    location = locate_child("nested/child.yaml", layout.project, [])

    assert found(location) == (layout.project / "nested" / "child.yaml").resolve()


def test_the_runbook_directory_is_searched_before_template_paths(layout: Layout) -> None:
    location = locate_child("shared.yaml", layout.project, ["templates"])

    assert found(location) == (layout.project / "shared.yaml").resolve()


def test_template_paths_are_relative_to_the_runbook_not_the_working_directory(
    layout: Layout,
) -> None:
    assert Path.cwd().resolve() == layout.elsewhere.resolve()

    location = locate_child("analysis.yaml", layout.project, ["templates"])

    assert found(location) == (layout.project / "templates" / "analysis.yaml").resolve()


@pytest.mark.parametrize("name", ["only_in_cwd.yaml", "cwd_child.yaml"])
def test_a_child_only_the_working_directory_has_is_not_found(layout: Layout, name: str) -> None:
    location = locate_child(name, layout.project, ["templates"])

    assert location.path is None
    assert location.code == "WCT041"


def test_an_absolute_template_path_is_used_as_given(layout: Layout) -> None:
    library = layout.outside / "library"

    location = locate_child("library.yaml", layout.project, [str(library)])

    assert found(location) == (library / "library.yaml").resolve()


def test_search_directories_are_the_runbook_directory_then_the_template_paths(
    layout: Layout,
) -> None:
    library = layout.outside / "library"

    directories = search_directories(layout.project, ["templates", str(library)])

    assert directories == [layout.project, layout.project / "templates", library]


def test_a_symlink_that_leads_outside_is_refused(layout: Layout) -> None:
    (layout.project / "escape.yaml").symlink_to(layout.outside / "secret.yaml")

    location = locate_child("escape.yaml", layout.project, ["templates"])

    assert location.path is None
    assert location.code == "WCT040"
    assert location.message is not None
    assert str((layout.outside / "secret.yaml").resolve()) in location.message


def test_a_symlinked_folder_that_leads_outside_is_refused(layout: Layout) -> None:
    (layout.project / "linked").symlink_to(layout.outside, target_is_directory=True)

    location = locate_child("linked/secret.yaml", layout.project, [])

    assert location.code == "WCT040"


def test_a_symlink_between_allowed_directories_is_followed(layout: Layout) -> None:
    (layout.project / "alias.yaml").symlink_to(layout.project / "templates" / "analysis.yaml")

    location = locate_child("alias.yaml", layout.project, ["templates"])

    assert found(location) == (layout.project / "templates" / "analysis.yaml").resolve()


def test_a_missing_child_names_every_directory_searched(layout: Layout) -> None:
    location = locate_child("missing.yaml", layout.project, ["templates"])

    assert location.path is None
    assert location.code == "WCT041"
    assert location.message is not None
    assert "`missing.yaml` not found" in location.message
    assert f"`{layout.project}`" in location.message
    assert f"`{layout.project / 'templates'}`" in location.message


def test_a_directory_is_not_a_child_runbook(layout: Layout) -> None:
    location = locate_child("nested", layout.project, [])

    assert location.code == "WCT041"


def test_a_symlink_loop_is_not_found_rather_than_an_error(layout: Layout) -> None:
    (layout.project / "loop.yaml").symlink_to(layout.project / "loop.yaml")

    location = locate_child("loop.yaml", layout.project, [])

    assert location.code == "WCT041"


# -- the root runbook's template_paths hold at every level ---------------------------------

GRANDCHILD = CHILD_RUNBOOK  # declares `documents`, outputs `findings`

MIDDLE = """\
name: Middle
description: Passes its documents to a shared grandchild
inputs:
  documents:
    input_schema: standard_input/1.0.0
outputs:
  findings:
    artifact: nested
artifacts:
  nested:
    inputs: documents
    child_runbook:
      path: grandchild.yaml
      input_mapping:
        documents: documents
      output: findings
"""

ROOT = """\
name: Root
description: Templates in two folders
config:
  template_paths: [teams, shared]
artifacts:
  files:
    source:
      type: filesystem
      properties:
        path: data
  analysed:
    inputs: files
    child_runbook:
      path: middle.yaml
      input_mapping:
        documents: files
      output: findings
    output: true
"""


def test_a_grandchild_is_found_in_the_root_runbooks_template_paths(tmp_path: Path) -> None:
    (tmp_path / "teams").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "teams" / "middle.yaml").write_text(MIDDLE, encoding="utf-8")
    (tmp_path / "shared" / "grandchild.yaml").write_text(GRANDCHILD, encoding="utf-8")
    root = tmp_path / "runbook.yaml"
    root.write_text(ROOT, encoding="utf-8")
    assert analyse(ROOT, root, env={}).diagnostics == ()
    plan = Planner(env={}).plan(root)
    assert "analysed.middle.nested.grandchild.found" in {a.id for a in plan.artifacts}
    # opened on its own, the middle runbook has no root paths but its own
    alone = analyse(MIDDLE, tmp_path / "teams" / "middle.yaml", env={})
    assert [d.code for d in alone.diagnostics] == ["WCT041"]
    # the middle runbook's own folder comes first: a grandchild there wins
    (tmp_path / "teams" / "grandchild.yaml").write_text(
        GRANDCHILD.replace("name: Child", "name: Team child"), encoding="utf-8"
    )
    analysis = analyse(ROOT, root, env={})
    [middle] = [link.analysis for link in analysis.children.values() if link.analysis]
    [nested] = [link.path for link in middle.children.values()]
    assert nested == (tmp_path / "teams" / "grandchild.yaml").resolve()

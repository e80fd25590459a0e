"""What stands at a position (`site_at`): hover, definition, references and rename all
start here, so the range of each site is the range they underline."""

from __future__ import annotations

from language_support import Runbook, RunbookFolder, at
from runbook_samples import CHILD, MAPPED_PARENT, PARENT, SCAN
from waivern_lsp.language.sites import (
    ArtifactSite,
    ChildNameSite,
    ChildPathSite,
    ComponentSite,
    EnvVarSite,
    KeySite,
    ReuseSite,
    SchemaSite,
    Site,
    artifact_at,
    artifact_sites,
    runbook_output_at,
    site_at,
)
from waivern_orchestration.parse.positions import Position, Range


def site(runbook: Runbook) -> Site | None:
    return site_at(runbook.analysis, runbook.lines, runbook.at())


def written(runbook: Runbook, found: Site | None) -> str:
    """The text the site's range covers."""
    assert found is not None
    start, end = found.range
    assert start.line == end.line
    return runbook.lines[start.line][start.character : end.character]


def test_an_artifact_id_and_its_use(folder: RunbookFolder) -> None:
    declared = folder.open(at(SCAN, "files:", 1))
    assert site(declared) == ArtifactSite("files", Range.of(3, 2, 3, 7), declaration=True)

    used = folder.open(at(SCAN, "[files]", 2))
    found = site(used)
    assert isinstance(found, ArtifactSite) and not found.declaration
    assert found.range == Range.of(9, 13, 9, 18)
    assert found.reference is not None and found.reference.artifact == "findings"


def test_component_types_and_keys(folder: RunbookFolder) -> None:
    connector = folder.open(at(SCAN, "filesystem", 4))
    assert site(connector) == ComponentSite(
        "connector", "filesystem", Range.of(5, 12, 5, 22), "files"
    )
    processor = folder.open(at(SCAN, "personal_data"))
    assert site(processor) == ComponentSite(
        "processor", "personal_data", Range.of(11, 12, 11, 25), "findings"
    )
    key = folder.open(at(SCAN, "path: data", 2))
    assert site(key) == KeySite(
        ("artifacts", "files", "source", "properties", "path"), Range.of(7, 8, 7, 12)
    )


def test_a_header_key_is_read_from_the_text(folder: RunbookFolder) -> None:
    runbook = folder.open(
        at(SCAN.replace("artifacts:", "config:\n  timeout: 60\nartifacts:"), "timeout")
    )
    assert site(runbook) == KeySite(("config", "timeout"), Range.of(3, 2, 3, 9))
    beyond = folder.open(at(SCAN.replace("artifacts:", "config:\n  timeout: 60\nartifacts:"), "60"))
    assert site(beyond) is None


def test_an_environment_variable_in_an_artifact_and_in_the_header(folder: RunbookFolder) -> None:
    runbook = folder.open(at(SCAN.replace("path: data", "path: ${DATA_DIR:-data}"), "DATA"))
    found = site(runbook)
    assert isinstance(found, EnvVarSite)
    assert (found.site.name, found.site.default, written(runbook, found)) == (
        "DATA_DIR",
        "data",
        "${DATA_DIR:-data}",
    )
    header = folder.open(at(SCAN.replace("Finds personal", "${WHO} finds personal"), "WHO"))
    assert isinstance(site(header), EnvVarSite)


def test_an_output_schema_and_a_reuse(folder: RunbookFolder) -> None:
    text = SCAN.replace(
        "    source:\n      type: filesystem\n      properties:\n        path: data\n",
        "    reuse:\n      from_run: 20250101-000000-abcd\n      artifact: files\n"
        "    output_schema: standard_input\n",
    )
    schema = folder.open(at(text, "standard_input"))
    assert site(schema) == SchemaSite("files", "standard_input", Range.of(7, 19, 7, 33))
    run = folder.open(at(text, "20250101"))
    assert site(run) == ReuseSite(
        "run", "files", "20250101-000000-abcd", "20250101-000000-abcd", Range.of(5, 16, 5, 36)
    )
    artifact = folder.open(at(text, "artifact: files", 11))
    assert site(artifact) == ReuseSite(
        "artifact", "files", "20250101-000000-abcd", "files", Range.of(6, 16, 6, 21)
    )


def test_the_names_of_a_child_runbook(folder: RunbookFolder) -> None:
    folder.write("child.yaml", CHILD)
    mapped = MAPPED_PARENT
    path = folder.open(at(mapped, "child.yaml", 1))
    assert site(path) == ChildPathSite("analysed", "child.yaml", Range.of(11, 12, 11, 22))
    key = folder.open(at(mapped, "documents:"))
    assert site(key) == ChildNameSite("input", "analysed", "documents", Range.of(13, 8, 13, 17))
    value = folder.open(at(mapped, "documents: files", 12))
    assert isinstance(site(value), ArtifactSite) and written(value, site(value)) == "files"
    output = folder.open(at(mapped, "findings: child"))
    assert site(output) == ChildNameSite("output", "analysed", "findings", Range.of(15, 8, 15, 16))
    alias = folder.open(at(mapped, "child_findings"))
    assert site(alias) == ArtifactSite("child_findings", Range.of(15, 18, 15, 32), declaration=True)
    single = folder.open(at(PARENT, "output: findings", 9))
    assert site(single) == ChildNameSite("output", "analysed", "findings", Range.of(14, 14, 14, 22))


def test_a_runbook_input_and_output_of_a_child(folder: RunbookFolder) -> None:
    declared = folder.open(at(CHILD, "documents:"))
    assert site(declared) == ArtifactSite("documents", Range.of(3, 2, 3, 11), declaration=True)
    output = folder.open(at(CHILD, "findings:"))
    assert runbook_output_at(output.analysis, output.at()) is not None
    assert site(output) == KeySite(("outputs", "findings"), Range.of(6, 2, 6, 10))
    assert runbook_output_at(declared.analysis, declared.at()) is None
    used = folder.open(at(CHILD, "artifact: found", 10))
    assert isinstance(site(used), ArtifactSite) and written(used, site(used)) == "found"


def test_nothing_stands_on_whitespace_a_plain_value_or_past_the_end(folder: RunbookFolder) -> None:
    spaced = folder.open(at(SCAN.replace("  findings:", "\n  findings:"), "\n\n", 1))
    assert site(spaced) is None
    assert site(folder.open(at(SCAN, "Finds personal", 3))) is None
    runbook = folder.open(SCAN)
    assert site_at(runbook.analysis, runbook.lines, Position(400, 0)) is None


def test_a_broken_artifact_holds_the_lines_up_to_the_next(folder: RunbookFolder) -> None:
    runbook = folder.open(SCAN.replace("    inputs: [files]\n", "    inputs: [fi<|>les\n"))
    broken = artifact_at(runbook.analysis, runbook.at().line)
    assert broken is not None and broken.id == "findings" and broken.broken
    assert artifact_at(runbook.analysis, 1) is None
    assert site(runbook) is None


def test_every_site_of_an_artifact(folder: RunbookFolder) -> None:
    runbook = folder.open(SCAN + "  summary:\n    inputs: [files, findings]\n    output: true\n")
    assert [
        (s.declaration, s.range.start.line) for s in artifact_sites(runbook.analysis, "files")
    ] == [
        (True, 3),
        (False, 9),
        (False, 14),
    ]

"""Hover text (`hover_text`), `<|>` marking the cursor: what an artifact is and how it went
in the latest run, what a field, a component, a child runbook, a schema, a reused run or
an environment variable is; nothing on whitespace; never a secret's value."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, timedelta

import pytest

from language_support import REGISTRY, Runbook, RunbookFolder, at, install_plugin_schemas
from runbook_samples import MAPPED_PARENT, SCAN
from waivern_lsp.language.hover_text import HoverContext, Markup, hover_text
from waivern_lsp.language.sites import ArtifactSite, ReuseSite, site_at
from waivern_orchestration.analysis.dotenv_files import runbook_environment
from waivern_orchestration.store.run_states import RunState


def hover(
    runbook: Runbook,
    *,
    env: Mapping[str, str] | None = None,
    markdown: bool = True,
    run: RunState | None = None,
    after: timedelta | None = None,
) -> str | None:
    """The hover at the cursor, with the run the server reads for the site: the latest run
    of the runbook for an artifact, the reused run for `reuse` (or `run`, when given).
    `after`: the time of asking, that long after the run started."""
    site = site_at(runbook.analysis, runbook.lines, runbook.at())
    if site is None:
        return None
    if run is None and isinstance(site, ArtifactSite):
        run = runbook.latest_run()
    elif run is None and isinstance(site, ReuseSite):
        run = runbook.run(site.run_id)
    now = run.started_at + after if run is not None and run.started_at and after else None
    context = HoverContext(runbook.analysis, REGISTRY, Markup(markdown), env or {}, run, now)
    return hover_text(site, context)


def timeless(text: str | None) -> str:
    """The hover with the moments (`2026-01-02 10:11:12 (just now)`) and durations of a run
    just made blanked out, for a comparison that holds every time."""
    assert text is not None
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \([^)]*\)", "<time>", text)
    return re.sub(r" in (< 1 ms|\d+ ms|[\d.]+ s)", " in <duration>", text)


DESCRIBED = """\
name: Scan
description: Finds personal data
artifacts:
  files:
    name: Customer files
    description: Every file under ./data
    source:
      type: filesystem
      properties:
        path: data
  findings:
    description: Personal data found in the files
    inputs: [files]
    process:
      type: personal_data
    output: true
"""


# -- artifacts ---------------------------------------------------------------------------


def test_an_artifact_says_what_it_is_and_that_it_has_not_run(folder: RunbookFolder) -> None:
    assert hover(folder.open(at(DESCRIBED, "files:", 1))) == (
        "**`files`** · artifact — Customer files\n\n"
        "Every file under ./data\n\n"
        "- extracted by the connector `filesystem`\n"
        "- output schema `standard_input/1.0.0`\n"
        "- used by: `findings`\n\n"
        "---\n\n"
        "**Latest run:** not run yet"
    )


def test_a_reference_shows_the_artifact_it_names(folder: RunbookFolder) -> None:
    declared = hover(folder.open(at(DESCRIBED, "files:")))
    assert hover(folder.open(at(DESCRIBED, "[files]", 2))) == declared


def test_a_derived_artifact_shows_its_processor_schema_and_inputs(folder: RunbookFolder) -> None:
    assert hover(folder.open(at(DESCRIBED, "findings:"))) == (
        "**`findings`** · artifact\n\n"
        "Personal data found in the files\n\n"
        "- derived by the processor `personal_data`\n"
        "- output schema `personal_data_finding/1.0.0`\n"
        "- inputs: `files`\n"
        "- used by no other artifact\n"
        "- a result of the runbook (`output: true`)\n\n"
        "---\n\n"
        "**Latest run:** not run yet"
    )


def test_an_optional_artifact_and_one_combining_inputs_say_so(folder: RunbookFolder) -> None:
    runbook = folder.open(
        """\
        name: Scan
        description: Finds personal data
        artifacts:
          a:
            source: {type: filesystem, properties: {path: a}}
            optional: true
          b:
            source: {type: filesystem, properties: {path: b}}
          bo<|>th:
            inputs: [a, b]
            output: true
        """
    )
    assert hover(runbook, markdown=False) == (
        "`both` · artifact\n\n"
        "- derived from its inputs, combined without a processor\n"
        "- output schema `standard_input/1.0.0`\n"
        "- inputs: `a`, `b`\n"
        "- used by no other artifact\n"
        "- a result of the runbook (`output: true`)\n\n"
        "Latest run: not run yet"
    )
    runbook = folder.open(runbook.text.replace("  a:", "  <|>a:"))
    assert "- optional: a failure is a warning (`optional: true`)" in (hover(runbook) or "")


def test_a_hub_artifact_lists_a_dozen_users_and_counts_the_rest(folder: RunbookFolder) -> None:
    users = "".join(f"  user{n:02}:\n    inputs: files\n    output: true\n" for n in range(15))
    runbook = folder.open(at(SCAN + users, "files:"))
    shown = ", ".join(f"`user{n:02}`" for n in range(11))
    assert f"- used by: `findings`, {shown} and 4 more\n" in (hover(runbook) or "")


def test_an_artifact_that_does_not_parse_says_how_it_is_made_is_unclear(
    folder: RunbookFolder,
) -> None:
    runbook = folder.open(SCAN.replace("  findings:", "  fin<|>dings:\n    process: [oops"))
    assert "- how it is produced is not clear yet (see the problems reported on it)" in (
        hover(runbook) or ""
    )


def test_a_reused_artifact_names_the_run_it_comes_from(folder: RunbookFolder) -> None:
    runbook = folder.open(
        """\
        name: Again
        description: Reuses earlier files
        artifacts:
          fi<|>les:
            reuse:
              from_run: 20250101-000000-abcd
              artifact: files
            output_schema: standard_input/1.0.0
            output: true
        """
    )
    assert "- reused: artifact `files` of run `20250101-000000-abcd`\n" in (hover(runbook) or "")


def test_an_unknown_name_says_so(folder: RunbookFolder) -> None:
    runbook = folder.open(at(SCAN.replace("[files]", "[filez]"), "filez"))
    assert hover(runbook) == "`filez`: no artifact, child output or runbook input has this name"


# -- the latest run ----------------------------------------------------------------------


def test_a_completed_run_shows_status_duration_and_run_id(folder: RunbookFolder) -> None:
    folder.write("data/notes.txt", "write to ada@example.com\n")
    folder.write("runbook.yaml", SCAN)
    outcome = folder.run()
    assert outcome.status == "completed"

    text = hover(folder.open(at(SCAN, "findings:")))
    assert timeless(text).endswith(
        f"**Latest run** `{outcome.run_id}` · completed · started <time>\n\n"
        "- `findings`: **completed** in <duration>, finished <time>"
    )


def test_a_failed_artifact_shows_its_error_and_its_dependents_skipped(
    folder: RunbookFolder,
) -> None:
    folder.write("runbook.yaml", SCAN)  # ./data does not exist
    outcome = folder.run()
    assert outcome.status == "failed"

    heading = f"**Latest run** `{outcome.run_id}` · failed · started <time> (1 artifact(s) failed)"
    assert timeless(hover(folder.open(at(SCAN, "files:")))).endswith(
        f"{heading}\n\n"
        "- `files`: **failed** in <duration>, finished <time>\n\n"
        "```text\n"
        f"path 'data' does not exist ({folder.root / 'data'})\n"
        "```"
    )
    assert timeless(hover(folder.open(at(SCAN, "findings:")))).endswith(
        f"{heading}\n\n- `findings`: **skipped**, finished <time>\n\n"
        "```text\ninput `files` failed\n```"
    )


def test_the_status_follows_new_runs(folder: RunbookFolder) -> None:
    folder.write("runbook.yaml", SCAN)
    runbook = folder.open(at(SCAN, "files:"))
    assert (hover(runbook) or "").endswith("**Latest run:** not run yet")

    first = folder.run()
    assert f"`{first.run_id}` · failed" in (hover(runbook) or "")

    folder.write("data/a.txt", "nothing personal\n")
    second = folder.run()
    text = hover(runbook) or ""
    assert f"`{second.run_id}` · completed" in text
    assert first.run_id not in text


def test_an_artifact_added_since_the_run_is_not_run_yet(folder: RunbookFolder) -> None:
    folder.write("runbook.yaml", SCAN)
    outcome = folder.run()
    added = SCAN + "  summary:\n    inputs: findings\n    process:\n      type: findings_summary\n"
    assert timeless(hover(folder.open(at(added, "summary:")))).endswith(
        f"**Latest run** `{outcome.run_id}` · failed · started <time> (1 artifact(s) failed)\n\n"
        "The runbook has changed since this run started.\n\n"
        "- `summary`: not run yet (not in this run)"
    )


def test_an_unreadable_run_store_means_no_status(folder: RunbookFolder) -> None:
    folder.store_dir.mkdir()
    (folder.store_dir / "runs.db").write_bytes(b"this is not a database" * 100)
    runbook = folder.open(at(SCAN, "files:"))
    assert runbook.latest_run() is None
    assert (hover(runbook) or "").endswith("**Latest run:** not run yet")


def test_a_store_locked_by_another_process_means_no_status(folder: RunbookFolder) -> None:
    folder.write("runbook.yaml", SCAN)
    outcome = folder.run()
    holder = sqlite3.connect(folder.store_dir / "runs.db", isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE runs SET reason = reason")
    try:
        assert folder.open(at(SCAN, "files:")).latest_run() is None
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert f"`{outcome.run_id}` · failed" in (hover(folder.open(at(SCAN, "files:"))) or "")


def test_times_read_as_how_long_ago_and_durations_in_fitting_units(
    folder: RunbookFolder,
) -> None:
    folder.write("runbook.yaml", SCAN)
    folder.run()
    runbook = folder.open(at(SCAN, "files:"))
    run = runbook.latest_run()
    assert run is not None
    assert run.started_at is not None
    # the rule the extension's views share (run_text.relativeTime): rounded, then a date
    for after, ago in [
        (timedelta(seconds=30), "just now"),
        (timedelta(seconds=90), "2 min ago"),
        (timedelta(seconds=150), "3 min ago"),  # halves up, as the extension's Math.round
        (timedelta(minutes=5), "5 min ago"),
        (timedelta(hours=3), "3 h ago"),
        (timedelta(days=1), "yesterday"),
        (timedelta(days=2), "2 days ago"),
        (timedelta(days=10), run.started_at.astimezone(UTC).strftime("%Y-%m-%d")),
    ]:
        assert f"({ago})" in (hover(runbook, after=after) or ""), ago

    files = run.artifact("files")
    assert files is not None
    for seconds, shown in [
        (0.25, "250 ms"),
        (4.5, "4.50 s"),
        (42.0, "42.0 s"),
        (125.0, "2 min 5 s"),
        (3723.0, "1 h 2 min"),
    ]:
        timed = replace(run, artifacts={"files": replace(files, duration_seconds=seconds)})
        assert f"- `files`: **failed** in {shown}, finished" in (hover(runbook, run=timed) or "")


# -- child runbooks ----------------------------------------------------------------------

DESCRIBED_CHILD = """\
name: Child
description: Analyses documents
inputs:
  documents:
    input_schema: standard_input/1.0.0
    description: The documents to analyse
outputs:
  findings:
    artifact: found
    description: What was found in the documents
artifacts:
  found:
    inputs: documents
    process:
      type: personal_data
"""


def test_a_child_path_shows_the_file_and_what_it_declares(folder: RunbookFolder) -> None:
    child = folder.write("child.yaml", DESCRIBED_CHILD)
    assert hover(folder.open(at(MAPPED_PARENT, "child.yaml", 3))) == (
        "**`child.yaml`** · child runbook\n\n"
        f"File: `{child}`\n\n"
        "**Child**: Analyses documents\n\n"
        "**Inputs** (`input_mapping`):\n"
        "- `documents`: `standard_input/1.0.0`, required — The documents to analyse\n\n"
        "**Outputs** (`output` / `output_mapping`):\n"
        "- `findings`: artifact `found`, `personal_data_finding/1.0.0` — "
        "What was found in the documents"
    )


def test_a_child_that_is_missing_or_broken_says_so(folder: RunbookFolder) -> None:
    assert hover(folder.open(at(MAPPED_PARENT, "child.yaml", 3))) == (
        "**`child.yaml`** · child runbook\n\n"
        "Not found, or not allowed here: see the problem reported on the path."
    )
    child = folder.write("child.yaml", "name: [unclosed\n")
    assert hover(folder.open(at(MAPPED_PARENT, "child.yaml", 3))) == (
        "**`child.yaml`** · child runbook\n\n"
        f"File: `{child}`\n\n"
        "Its contents could not be analysed (see the problem reported)."
    )
    folder.write("child.yaml", "name: Bare\ndescription: Declares nothing\nartifacts: {}\n")
    assert (hover(folder.open(at(MAPPED_PARENT, "child.yaml", 3))) or "").endswith(
        "It declares no inputs.\n\nIt declares no outputs."
    )


def test_an_input_mapping_key_is_the_child_input(folder: RunbookFolder) -> None:
    folder.write("child.yaml", DESCRIBED_CHILD)
    assert hover(folder.open(at(MAPPED_PARENT, "documents:"))) == (
        "**`documents`** · input of the child runbook `child.yaml`\n\n"
        "The documents to analyse\n\n"
        "- schema `standard_input/1.0.0`\n"
        "- required\n"
        "- fed by this runbook's artifact `files`"
    )
    undeclared = folder.open(at(MAPPED_PARENT.replace("documents: files", "texts: files"), "texts"))
    assert hover(undeclared) == "`texts`: the child runbook `child.yaml` declares no such input"


def test_a_child_output_name_says_what_it_stands_for(folder: RunbookFolder) -> None:
    folder.write("child.yaml", DESCRIBED_CHILD)
    assert hover(folder.open(at(MAPPED_PARENT, "findings: child_findings"))) == (
        "**`findings`** · output of the child runbook `child.yaml`\n\n"
        "What was found in the documents\n\n"
        "- the child's artifact `found`, `personal_data_finding/1.0.0`\n"
        "- available here as `child_findings`"
    )
    undeclared = folder.open(
        at(MAPPED_PARENT.replace("findings: child", "results: child"), "results")
    )
    assert hover(undeclared) == "`results`: the child runbook `child.yaml` declares no such output"


def test_a_child_output_alias_says_what_it_stands_for(folder: RunbookFolder) -> None:
    folder.write("child.yaml", DESCRIBED_CHILD)
    assert hover(folder.open(at(MAPPED_PARENT, "inputs: child_findings", 9))) == (
        "**`child_findings`** · child runbook output\n\n"
        "- the output `findings` of the child runbook `child.yaml`, run by the artifact "
        "`analysed`\n"
        "- the child's artifact `found`\n"
        "- output schema `personal_data_finding/1.0.0`\n"
        "- used by: `summary`\n\n"
        "---\n\n"
        "**Latest run:** not run yet"
    )


def test_the_artifact_running_a_child_names_its_outputs(folder: RunbookFolder) -> None:
    folder.write("child.yaml", DESCRIBED_CHILD)
    assert hover(folder.open(at(MAPPED_PARENT, "analysed:"))) == (
        "**`analysed`** · artifact\n\n"
        "- produced by the child runbook `child.yaml`: its outputs `findings` as "
        "`child_findings`\n"
        "- inputs: `files`\n"
        "- used by: `summary`\n\n"
        "---\n\n"
        "**Latest run:** not run yet"
    )
    single = MAPPED_PARENT.replace(
        "output_mapping:\n        findings: child_findings", "output: findings"
    )
    text = hover(folder.open(at(single, "analysed:"))) or ""
    assert "- produced by the child runbook `child.yaml`: its output `findings`\n" in text


def test_a_runbook_input_says_it_comes_from_the_parent(folder: RunbookFolder) -> None:
    sensitive = DESCRIBED_CHILD.replace(
        "    description: The", "    sensitive: true\n    description: The"
    )
    assert hover(folder.open(at(sensitive, "documents:"), "child.yaml")) == (
        "**`documents`** · runbook input\n\n"
        "The documents to analyse\n\n"
        "- schema `standard_input/1.0.0`\n"
        "- required\n"
        "- sensitive: its data is never shown in logs, events or stored results\n\n"
        "A parent runbook feeds it one of its artifacts through `input_mapping`."
    )


def test_a_runbook_output_says_which_artifact_it_offers(folder: RunbookFolder) -> None:
    assert hover(folder.open(at(DESCRIBED_CHILD, "findings:"), "child.yaml")) == (
        "**`findings`** · runbook output (for a parent runbook)\n\n"
        "What was found in the documents\n\n"
        "- offers the artifact `found`"
    )


# -- components, fields, schemas ---------------------------------------------------------


def test_a_connector_type_shows_its_description_schema_and_settings(
    folder: RunbookFolder,
) -> None:
    lines = (hover(folder.open(at(DESCRIBED, "filesystem"))) or "").split("\n")
    assert lines[:5] == [
        "**`filesystem`** · connector",
        "",
        "Reads text files under a directory (include/exclude globs), one item per file.",
        "",
        "- output schema `standard_input/1.0.0`",
    ]
    assert lines[6:8] == [
        "**Settings** (`properties`):",
        "- `path` (text, required): File or directory to read, relative to the runbook's "
        "directory.",
    ]
    assert (
        "- `max_files` (whole number): Read at most this many files, in sorted path order; "
        "every matching file when not set. A limit that is hit is reported with the run."
    ) in lines


def test_a_processor_type_shows_the_inputs_it_accepts(folder: RunbookFolder) -> None:
    lines = (hover(folder.open(at(DESCRIBED, "personal_data"))) or "").split("\n")
    assert lines[0] == "**`personal_data`** · processor"
    assert lines[4:6] == [
        "- output schema `personal_data_finding/1.0.0`",
        "- accepts inputs `standard_input/1.0.0`",
    ]


def test_a_component_that_is_not_installed_lists_those_that_are(folder: RunbookFolder) -> None:
    runbook = folder.open(at(SCAN.replace("filesystem", "filesystm"), "filesystm"))
    assert hover(runbook) == (
        "`filesystm`: no connector of this type is installed (installed: `filesystem`, "
        "`mysql`, `postgresql`, `sqlite`)"
    )


def test_a_header_field_shows_its_documentation(folder: RunbookFolder) -> None:
    runbook = SCAN.replace("artifacts:", "config:\n  timeout: 60\nartifacts:")
    text = hover(folder.open(at(runbook, "timeout"))) or ""
    assert text.startswith("**`config.timeout`** · runbook field\n\nWall-clock limit for a run,")
    assert hover(folder.open(at(runbook, "name"))) == (
        "**`name`** · runbook field\n\nName of the runbook.\n\n- text, required"
    )


def test_an_artifact_field_shows_its_documentation(folder: RunbookFolder) -> None:
    assert hover(folder.open(at(DESCRIBED, "output: true"))) == (
        "**`output`** · artifact field\n\n"
        "The artifact is a result of the runbook (kept, reported).\n\n"
        "- true/false, default `false`"
    )


def test_a_field_with_allowed_values_lists_them(folder: RunbookFolder) -> None:
    runbook = SCAN + "  more:\n    inputs: [files, findings]\n    merge: concatenate\n"
    assert (hover(folder.open(at(runbook, "merge"))) or "").endswith("- values: `concatenate`")


def test_a_component_setting_shows_the_components_documentation(folder: RunbookFolder) -> None:
    assert hover(folder.open(at(DESCRIBED, "path: data"))) == (
        "**`path`** · setting of the `filesystem` connector\n\n"
        "File or directory to read, relative to the runbook's directory.\n\n"
        "- text, required"
    )


def test_a_key_the_schema_does_not_know_has_no_hover(folder: RunbookFolder) -> None:
    runbook = folder.open(SCAN.replace("    output: true", "    outptu<|>: true"))
    assert hover(runbook) is None


def test_a_message_schema_name_shows_the_schema(folder: RunbookFolder) -> None:
    runbook = SCAN.replace("    output: true", "    output_schema: personal_data_finding")
    text = hover(folder.open(at(runbook, "personal_data_finding"))) or ""
    assert text.startswith(
        "**`personal_data_finding/1.0.0`** · message schema "
        "(the newest version of `personal_data_finding`)\n\n"
    )
    unknown = runbook.replace("personal_data_finding", "no_such_schema")
    assert hover(folder.open(at(unknown, "no_such_schema"))) == (
        "`no_such_schema`: no installed package provides a message schema of this name"
    )


def test_a_plug_in_message_schema_shows_its_package(
    folder: RunbookFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_plugin_schemas(monkeypatch)
    runbook = SCAN.replace("    output: true", "    output_schema: credential/1.0.0")
    assert hover(folder.open(at(runbook, "credential/1.0.0"))) == (
        "**`credential/1.0.0`** · message schema\n\nCredentials found in text.\n\n"
        "From the plug-in `waivern-credentials`."
    )
    broken = runbook.replace("credential/1.0.0", "token/1.0.0")
    assert hover(folder.open(at(broken, "token/1.0.0"))) == (
        "`token/1.0.0`: message schema of the plug-in `waivern-credentials`, which could "
        "not be loaded\n\nnot JSON (Expecting value at line 1)"
    )


def test_reuse_shows_the_earlier_run_and_its_artifact(folder: RunbookFolder) -> None:
    folder.write("data/a.txt", "hello\n")
    folder.write("runbook.yaml", SCAN)
    earlier = folder.run()
    reusing = f"""\
name: Again
description: Reuses the files of an earlier run
artifacts:
  files:
    reuse:
      from_run: {earlier.run_id}
      artifact: files
    output_schema: standard_input/1.0.0
    output: true
"""
    assert timeless(hover(folder.open(at(reusing, earlier.run_id), "again.yaml"))) == (
        f"**Run** `{earlier.run_id}` · completed, started <time>\n\n"
        f"Runbook: `{folder.root / 'runbook.yaml'}`"
    )
    artifact = folder.open(at(reusing, "artifact: files", 10), "again.yaml")
    assert timeless(hover(artifact)) == (
        f"**`files`** · artifact of run `{earlier.run_id}` · completed, started <time>\n\n"
        "- **completed** in <duration>, finished <time>"
    )
    missing = folder.open(at(reusing.replace("artifact: files", "artifact: filez"), "filez"))
    assert timeless(hover(missing)) == (
        f"`filez`: no artifact of this name in run `{earlier.run_id}` · completed, started <time>"
    )


def test_reuse_of_a_run_the_store_does_not_have_says_so(folder: RunbookFolder) -> None:
    runbook = folder.open(
        """\
        name: Again
        description: Reuses the files of an earlier run
        artifacts:
          files:
            reuse:
              from_run: 2025<|>0101-000000-abcd
              artifact: files
            output_schema: standard_input/1.0.0
        """
    )
    assert hover(runbook) == "`20250101-000000-abcd`: no run with this id in the run store"


# -- environment variables ---------------------------------------------------------------

ENV_RUNBOOK = """\
name: Env
description: Uses variables
artifacts:
  db:
    source:
      type: sqlite
      properties:
        path: ${DB_PASSWORD}
  files:
    source:
      type: filesystem
      properties:
        path: ${DATA_DIR:-data}
"""


def test_a_set_secret_variable_is_set_and_its_value_is_never_shown(folder: RunbookFolder) -> None:
    runbook = folder.open(at(ENV_RUNBOOK, "DB_PASSWORD"))
    text = hover(runbook, env={"DB_PASSWORD": "hunter2-do-not-show"})
    assert text == (
        "**`${DB_PASSWORD}`** · environment variable\n\n"
        "- set in the editor's environment; a secret: its value is never shown"
    )


def test_a_variable_that_is_no_secret_shows_its_value_and_where_it_is_set(
    folder: RunbookFolder,
) -> None:
    runbook = folder.open(at(ENV_RUNBOOK.replace("DB_PASSWORD", "DB_FILE"), "DB_FILE"))
    assert hover(runbook, env={"DB_FILE": "customers.db"}) == (
        "**`${DB_FILE}`** · environment variable\n\n"
        "- set in the editor's environment: `customers.db`"
    )
    # from a `.env` file: which one; a secret there is no more shown than anywhere
    dotenv = folder.write(".env", "DB_FILE=from-dotenv.db\nDB_PASSWORD=hunter2-do-not-show\n")
    environment = runbook_environment(runbook.path, folder.root, base={})
    assert hover(runbook, env=environment) == (
        f"**`${{DB_FILE}}`** · environment variable\n\n- set in `{dotenv}`: `from-dotenv.db`"
    )
    secret = hover(folder.open(at(ENV_RUNBOOK, "DB_PASSWORD")), env=environment) or ""
    assert secret.endswith(f"- set in `{dotenv}`; a secret: its value is never shown")
    # a URL with a password in it is a secret, whatever the variable's name
    url = "postgres://app:hunter2-do-not-show@db/app"
    dsn = hover(runbook, env={"DB_FILE": url}) or ""
    assert "hunter2" not in dsn and "a secret" in dsn


def test_an_unset_variable_shows_its_default_or_that_a_run_fails(folder: RunbookFolder) -> None:
    assert hover(folder.open(at(ENV_RUNBOOK, "DATA_DIR"))) == (
        "**`${DATA_DIR}`** · environment variable\n\n"
        "- not set: the default is used\n"
        "- default `data`"
    )
    assert hover(folder.open(at(ENV_RUNBOOK, "DB_PASSWORD"))) == (
        "**`${DB_PASSWORD}`** · environment variable\n\n"
        "- not set and no default: a run fails until it is set (in the environment or a "
        "`.env` file beside the runbook)"
    )
    empty = ENV_RUNBOOK.replace("${DATA_DIR:-data}", "${DATA_DIR:-}")
    assert (hover(folder.open(at(empty, "DATA_DIR"))) or "").endswith("- default: empty")


def test_a_variable_in_the_header_is_hovered_too(folder: RunbookFolder) -> None:
    runbook = SCAN.replace("description: Finds", "description: ${TEAM:-Privacy} finds")
    assert (hover(folder.open(at(runbook, "TEAM"))) or "").startswith(
        "**`${TEAM}`** · environment variable"
    )


# -- nothing to say; no Markdown ---------------------------------------------------------


def test_whitespace_and_plain_values_have_no_hover(folder: RunbookFolder) -> None:
    spaced = DESCRIBED.replace("  findings:", "\n  findings:")
    assert hover(folder.open(at(spaced, "\n\n", 1))) is None
    assert hover(folder.open(at(spaced, "Finds personal data", 3))) is None


def test_a_client_without_markdown_gets_plain_text(folder: RunbookFolder) -> None:
    folder.write("runbook.yaml", SCAN)
    folder.run()
    text = hover(folder.open(at(DESCRIBED, "files:")), markdown=False) or ""
    assert text.startswith("`files` · artifact — Customer files\n\nEvery file under ./data\n\n")
    assert "**" not in text and "---" not in text and "```" not in text
    assert "\n\n    path 'data' does not exist" in text  # the error, indented


def test_code_quoting_survives_backticks_in_names() -> None:
    markup = Markup(markdown=True)
    assert markup.code("a`b") == "``a`b``"
    assert markup.code("`a") == "`` `a ``"
    assert markup.preformatted("x\n```\ny") == "````text\nx\n```\ny\n````"


def test_hover_says_which_limit_cut_an_output_short(folder: RunbookFolder) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        folder.write(f"data/{name}", "write to ada@example.com\n")
    limited = SCAN.replace("        path: data\n", "        path: data\n        max_files: 2\n")
    folder.write("runbook.yaml", limited)
    folder.run()
    text = hover(folder.open(at(limited, "files:"))) or ""
    assert (
        "**Limit reached:** `max_files is 2: skipped 1 more matching file (from 'c.txt' on)`"
    ) in text

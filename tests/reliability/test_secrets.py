"""Secret values never leave wct: a runbook gets `DB_PASSWORD` through `${DB_PASSWORD}`, and
its value is found in a child runbook path (WCT041), a component property that fails
validation once substituted (WCT022) and the errors of components that fail at run time.
Everything a user or an editor can see — `wct validate` (text, JSON), `wct run` (plain,
`--events`), `wct runs`, `wct inspect`, `wct poll`, the language server's diagnostics,
hovers, code lenses, messages and command results — and the raw bytes of the run store
say `${DB_PASSWORD}` instead; a resume takes the value from its environment again.
"""

from __future__ import annotations

import asyncio
import io
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException

import execution_support as support
from lsp_support import TIMEOUT, LspSession, at, start_session
from waivern_lsp.language.hover_text import HoverContext, Markup, hover_text
from waivern_lsp.language.sites import ChildPathSite, site_at
from waivern_orchestration.analysis import analyse
from waivern_orchestration.cli.app import main
from waivern_orchestration.cli.run_display import EventLines
from waivern_orchestration.components import ComponentRegistry
from waivern_orchestration.components.registry import default_registry
from waivern_orchestration.execution.runs import RunRequest, execute
from waivern_orchestration.parse.positions import Position
from waivern_orchestration.planner import ExecutionPlan, Planner
from waivern_orchestration.redaction import MissingSecrets, Redactor, secret_name
from waivern_orchestration.store.plans import stored_plan
from waivern_orchestration.store.run_store import RunStore, StoreError

SECRET = "s3cr3t-Zq9vXw"
PLACEHOLDER = "${DB_PASSWORD}"
ENV = {"DB_PASSWORD": SECRET}

# (a) the child runbook's path is built from the variable: not found (WCT041)
CHILD_PATH = """\
name: Child from a variable
description: the child's file name is a secret
artifacts:
  files:
    source:
      type: filesystem
      properties: {path: .}
  scan:
    inputs: files
    child_runbook:
      path: checks/${DB_PASSWORD}.yaml
      input_mapping: {documents: files}
      output: findings
    output: true
"""

# (b) valid as written, invalid once substituted: the planner's WCT022
BAD_PROPERTY = """\
name: Property from a variable
description: a filesystem connector whose encoding is a secret
artifacts:
  files:
    source:
      type: filesystem
      properties:
        path: .
        encoding: ${DB_PASSWORD}
    output: true
"""

# (c) components that fail at run time with the value in their errors; `vault` completes
# once a file named after the value exists, which a resume can only see with the value
FAILING = """\
name: Failing connectors
description: connectors whose errors quote a secret
artifacts:
  customer_db:
    source:
      type: sqlite
      properties:
        database_path: db/${DB_PASSWORD}.sqlite
  crm:
    source:
      type: test_source
      properties:
        fail: "cannot connect to postgres://app:${DB_PASSWORD}@crm.internal/crm"
  vault:
    source:
      type: test_source
      properties:
        fail_unless: ${DB_PASSWORD}.ready
  report:
    inputs: [customer_db, crm, vault]
    process:
      type: test_pass
    output: true
"""


class Seen:
    """Everything shown to the user, kept to be searched for the secret at the end."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, *texts: Any) -> str:
        joined = "\n".join(t if isinstance(t, str) else json.dumps(t, default=str) for t in texts)
        self.texts.append(joined)
        return joined

    def assert_clean(self) -> None:
        leaks = [text for text in self.texts if SECRET in text]
        assert not leaks, f"the secret was shown: {leaks[0][:2000]}"


def store_bytes(store: Path) -> Iterator[tuple[Path, bytes]]:
    """Every file of the run store folder (the database, its -wal and -shm, job files)."""
    for path in sorted(store.rglob("*")):
        if path.is_file():
            yield path, path.read_bytes()


def assert_store_clean(store: Path) -> None:
    files = list(store_bytes(store))
    assert any(path.name.endswith(".db") for path, _ in files), files
    for path, data in files:
        assert SECRET.encode() not in data, f"{path} holds the secret"


@dataclass
class Shown:
    returncode: int
    stdout: str
    stderr: str


class Wct:
    """`wct` as a user runs it (a process with DB_PASSWORD set), or in this process for
    the commands that do not execute a runbook (faster; the same code but `main`)."""

    def __init__(
        self,
        workspace: support.Workspace,
        seen: Seen,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        self.workspace, self.seen, self.capsys = workspace, seen, capsys
        monkeypatch.setenv("DB_PASSWORD", SECRET)
        monkeypatch.delenv("WCT_STORE", raising=False)

    def process(self, *args: str | Path) -> Shown:
        result = self.workspace.wct(*args, "--store", self.workspace.store, env=ENV)
        return self._seen(Shown(result.returncode, result.stdout, result.stderr))

    def here(self, *args: str | Path) -> Shown:
        self.capsys.readouterr()
        code = main([*map(str, args), "--store", str(self.workspace.store)])
        captured = self.capsys.readouterr()
        return self._seen(Shown(code, captured.out, captured.err))

    def _seen(self, shown: Shown) -> Shown:
        self.seen(shown.stdout, shown.stderr)
        assert "Traceback" not in shown.stderr, shown.stderr
        return shown


def test_a_secret_is_never_shown_by_the_cli_nor_stored(
    workspace: support.Workspace,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = Seen()
    wct = Wct(workspace, seen, capsys, monkeypatch)
    child_path = workspace.write("child_path.yaml", CHILD_PATH)
    bad_property = workspace.write("bad_property.yaml", BAD_PROPERTY)
    failing = workspace.write("failing.yaml", FAILING)
    (workspace.folder / "checks").mkdir()
    (workspace.folder / "db").mkdir()

    # (a) WCT041, in every form `wct validate` and `wct run` print it
    text = wct.here("validate", child_path)
    assert text.returncode == 1
    assert "WCT041" in text.stdout and f"checks/{PLACEHOLDER}.yaml" in text.stdout
    as_json = wct.here("validate", child_path, "--format", "json")
    (wct041,) = [d for d in json.loads(as_json.stdout)["diagnostics"] if d["code"] == "WCT041"]
    assert f"child runbook `checks/{PLACEHOLDER}.yaml` not found" in wct041["message"]
    refused = wct.here("run", child_path)
    assert refused.returncode == 1 and f"checks/{PLACEHOLDER}.yaml" in refused.stderr

    # (b) WCT022 with the variable substituted (the planner's check)
    assert wct.here("validate", bad_property).returncode == 0
    refused = wct.here("run", bad_property)
    assert refused.returncode == 1
    assert "WCT022" in refused.stderr
    assert f"unknown text encoding '{PLACEHOLDER}'" in refused.stderr

    # (c) errors at run time: the progress display and summary, then the events
    plain = wct.process("run", failing)
    assert plain.returncode == 1
    assert f"db/{PLACEHOLDER}.sqlite" in plain.stdout
    assert f"postgres://app:{PLACEHOLDER}@crm.internal/crm" in plain.stdout
    events = wct.process("run", failing, "--events")
    assert events.returncode == 1
    lines = [json.loads(line) for line in events.stdout.splitlines()]
    errors = {
        line["artifact"]: line["error"] for line in lines if line["event"] == "artifact_finished"
    }
    run_id = lines[0]["run_id"]
    assert errors["customer_db"].startswith(f"database 'db/{PLACEHOLDER}.sqlite' does not exist")
    assert errors["crm"] == f"cannot connect to postgres://app:{PLACEHOLDER}@crm.internal/crm"
    assert errors["vault"] == f"{PLACEHOLDER}.ready is missing"
    assert errors["report"].endswith("` failed")  # skipped: the first failure it heard of

    # what the store says of the run
    for args in (("runs",), ("runs", "--json"), ("inspect", run_id), ("poll", run_id)):
        assert wct.here(*args).returncode == 0
    report = json.loads(wct.here("inspect", run_id, "--json").stdout)
    assert report["artifacts"]["vault"]["error"] == f"{PLACEHOLDER}.ready is missing"
    assert report["artifacts"]["crm"]["error"].endswith(f":{PLACEHOLDER}@crm.internal/crm")
    wct.here("inspect", run_id, "crm", "--json")

    # A resume needs the value again (the store does not keep it) ...
    monkeypatch.delenv("DB_PASSWORD")
    without = wct.here("run", failing, "--resume", run_id)
    assert without.returncode == 2
    assert "set DB_PASSWORD to resume" in without.stderr
    assert workspace.statuses(run_id)["vault"] == "failed"
    # ... and runs with it: `vault` sees the file named after the value
    (workspace.folder / f"{SECRET}.ready").touch()
    assert wct.process("run", failing, "--resume", run_id, "--events").returncode == 1
    assert workspace.statuses(run_id) == {
        "customer_db": "failed",
        "crm": "failed",
        "vault": "completed",
        "report": "skipped",
    }

    seen.assert_clean()
    assert_store_clean(workspace.store)


async def test_a_secret_is_never_shown_in_the_editor(workspace: support.Workspace) -> None:
    seen = Seen()
    (workspace.folder / "checks").mkdir()
    (workspace.folder / "db").mkdir()
    session = await start_session(
        "visual_studio_code",
        workspace.folder,
        env=support.plugin_env(workspace.plugin, ENV),
        options={"store": str(workspace.store)},
    )
    try:
        await _edit_and_run(session, seen)
        seen(*(m.message for m in session.client.messages))
        seen(*(m.message for m in session.client.log_messages))
    finally:
        await session.client.shutdown_session()
        await session.client.stop()
    seen.assert_clean()
    assert_store_clean(workspace.store)


async def _edit_and_run(editor: LspSession, seen: Seen) -> None:
    # (a) the diagnostics of a child path built from the variable
    child = editor.open("child_path.yaml", CHILD_PATH)
    (wct041,) = [d for d in await editor.diagnostics(child) if d.code == "WCT041"]
    assert f"checks/{PLACEHOLDER}.yaml" in seen(wct041.message)

    # (b) a run refused for WCT022: the message says why, without the value
    bad = editor.open("bad_property.yaml", BAD_PROPERTY)
    await editor.diagnostics(bad)
    with pytest.raises(JsonRpcException) as refusal:
        await command(editor, "waivern.run", bad.uri)
    seen(str(refusal.value))
    assert any(
        f"unknown text encoding '{PLACEHOLDER}'" in m.message for m in editor.client.messages
    )

    # (c) a run whose connectors fail: failure diagnostics, hover, code lens, commands
    failing = editor.open("failing.yaml", at(FAILING, "crm:"))
    await editor.diagnostics(failing)
    started = await command(editor, "waivern.run", failing.uri)
    run_id = started["run_id"]
    failures = await _until(
        lambda: [d for d in editor.client.diagnostics.get(failing.uri, []) if d.code == "WCT070"],
        lambda found: len(found) == 3,
    )
    messages = seen(*(d.message for d in failures))
    assert f"postgres://app:{PLACEHOLDER}@crm.internal/crm" in messages
    assert f"db/{PLACEHOLDER}.sqlite" in messages
    await _until(lambda: _outcome(editor, run_id), bool)

    hover = await editor.hover(failing)
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    assert f"postgres://app:{PLACEHOLDER}@crm.internal/crm" in seen(hover.contents.value)
    line = FAILING.splitlines().index("        fail_unless: ${DB_PASSWORD}.ready")
    failing.cursor = lsp.Position(line=line, character=len("        fail_unless: ${D"))
    variable = await editor.hover(failing)
    assert variable is not None and isinstance(variable.contents, lsp.MarkupContent)
    assert "a secret: its value is never shown" in seen(variable.contents.value)

    lenses = await editor.client.text_document_code_lens_async(
        lsp.CodeLensParams(text_document=failing.id)
    )
    titles = seen(*(lens.command.title for lens in lenses or () if lens.command))
    assert f"{PLACEHOLDER}.ready is missing" in titles

    for name, arguments in (
        ("waivern.runs", [failing.uri]),
        ("waivern.inspect", [run_id]),
        ("waivern.inspect", [run_id, "crm"]),
        ("waivern.poll", [run_id]),
        ("waivern.graph", [failing.uri]),
    ):
        try:
            seen(await command(editor, name, *arguments))
        except JsonRpcException as refused:  # e.g. a failed artifact has no stored output
            seen(str(refused))


async def command(editor: LspSession, name: str, *arguments: Any) -> Any:
    return await editor.client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=name, arguments=list(arguments))
    )


def _outcome(editor: LspSession, run_id: str) -> str | None:
    return next((m.message for m in editor.client.messages if run_id in m.message), None)


async def _until(get: Callable[[], Any], done: Callable[[Any], bool]) -> Any:
    deadline = time.monotonic() + TIMEOUT
    while not done(found := get()):
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)
    return found


# -- a secret in a child runbook's path --------------------------------------------------

CHILD_TOKEN = "ch1ld-t0ken-Yx"

TOKEN_PARENT = """\
name: Parent
description: the child's file is named after a token
artifacts:
  files:
    source:
      type: test_source
      properties: {fail_unless: ready, text: a@b.com}
  scan:
    inputs: files
    child_runbook:
      path: ${CHILD_TOKEN}.yaml
      input_mapping: {docs: files}
      output: findings
    output: true
"""

TOKEN_CHILD = """\
name: Child
description: passes its documents on
inputs:
  docs:
    input_schema: standard_input/1.0.0
outputs:
  findings:
    artifact: found
artifacts:
  found:
    inputs: docs
    process:
      type: test_pass
"""


def run_here(
    workspace: support.Workspace,
    registry: ComponentRegistry,
    runbook: Path,
    env: dict[str, str],
    resume: str | None = None,
) -> list[dict[str, Any]]:
    """`wct run --events` in this process, with exactly ``env`` as its environment."""
    out = io.StringIO()
    execute(
        RunRequest(runbook, workspace.store, resume=resume, registry=registry, env=env),
        EventLines(out),
        lambda _notice: None,
    )
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_child_path_with_a_secret_resumes_with_the_ids_it_started_with(
    workspace: support.Workspace, registry: ComponentRegistry
) -> None:
    env = {"CHILD_TOKEN": CHILD_TOKEN}
    parent = workspace.write("parent.yaml", TOKEN_PARENT)
    workspace.write(f"{CHILD_TOKEN}.yaml", TOKEN_CHILD)

    first = run_here(workspace, registry, parent, env)  # `files` fails: no `ready` yet
    run_id = first[0]["run_id"]
    child_id = "scan.${CHILD_TOKEN}.found"  # the namespace is the path as written
    assert workspace.statuses(run_id) == {"files": "failed", child_id: "skipped"}

    (workspace.folder / "ready").touch()
    resumed = run_here(workspace, registry, parent, env, resume=run_id)

    assert workspace.statuses(run_id) == {"files": "completed", child_id: "completed"}
    assert resumed[-1]["status"] == "completed"
    with RunStore(workspace.store, read_only=True) as store:
        plan = stored_plan(store, run_id, env)
        assert plan.ids == ("files", child_id)
        assert plan.resolve("scan") == child_id
    for event in (*first, *resumed):
        assert CHILD_TOKEN not in json.dumps(event)


def test_hovering_a_child_path_found_with_a_secret_shows_no_secret(tmp_path: Path) -> None:
    env = {"CHILD_TOKEN": CHILD_TOKEN}
    (tmp_path / f"{CHILD_TOKEN}.yaml").write_text(TOKEN_CHILD, encoding="utf-8")
    path = tmp_path / "parent.yaml"
    analysis = analyse(TOKEN_PARENT, path, env=env)
    lines = TOKEN_PARENT.splitlines()
    line = lines.index("      path: ${CHILD_TOKEN}.yaml")
    site = site_at(analysis, lines, Position(line, len("      path: ${CHILD_TOKEN}.y")))
    assert isinstance(site, ChildPathSite)

    text = hover_text(site, HoverContext(analysis, default_registry(), Markup(True), env))

    assert text is not None and CHILD_TOKEN not in text
    assert f"File: `{tmp_path.resolve()}/${{CHILD_TOKEN}}.yaml`" in text
    assert "**Child**: passes its documents on" in text


def test_a_circular_chain_through_a_secret_path_names_it_by_its_variable(tmp_path: Path) -> None:
    env = {"CHILD_TOKEN": CHILD_TOKEN}
    itself = "  again:\n    inputs: found\n    child_runbook:\n"
    itself += "      path: ${CHILD_TOKEN}.yaml\n      input_mapping: {docs: found}\n"
    (tmp_path / f"{CHILD_TOKEN}.yaml").write_text(TOKEN_CHILD + itself, encoding="utf-8")
    analysis = analyse(TOKEN_PARENT, tmp_path / "parent.yaml", env=env)

    messages = [
        text
        for diagnostic in analysis.diagnostics
        for text in (diagnostic.message, *(info.message for info in diagnostic.related))
    ]
    assert any("${CHILD_TOKEN}.yaml → ${CHILD_TOKEN}.yaml" in text for text in messages)
    assert any(text.startswith("child runbook `${CHILD_TOKEN}.yaml` has") for text in messages)
    assert not [text for text in messages if CHILD_TOKEN in text]
    # Related information points at the child file itself, for the editor to open.
    assert {info.file.name for d in analysis.diagnostics for info in d.related} == {
        f"{CHILD_TOKEN}.yaml"
    }


# -- a secret-named variable the runbook does not use ------------------------------------

UNRELATED = """\
name: Test scan
description: scans the test data; DB_PASSWORD is set by CI for other jobs
artifacts:
  files:
    source:
      type: test_source
      properties: {fail_unless: testdata/ready, text: a@b.com}
  checks:
    inputs: files
    child_runbook:
      path: latest_checks.yaml
      input_mapping: {docs: files}
      output: findings
    output: true
"""

CI_ENV = {"DB_PASSWORD": "test", "POSTGRES_PASSWORD": "postgres", "MYSQL_ROOT_PASSWORD": "root"}


def test_a_secret_variable_the_runbook_does_not_use_changes_nothing(
    tmp_path: Path,
    plugin_folder: Path,
    registry: ComponentRegistry,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = tmp_path / "tests" / "postgres-test" / "proj"
    project.mkdir(parents=True)
    workspace = support.Workspace(project, plugin_folder)
    runbook = workspace.write("runbook.yaml", UNRELATED)
    (project / "testdata").mkdir()
    for name, value in CI_ENV.items():
        monkeypatch.setenv(name, value)

    # validate: the child is missing, and its message names the paths as they are
    capsys.readouterr()
    assert main(["validate", str(runbook), "--format", "json"]) == 1
    shown = json.loads(capsys.readouterr().out)["diagnostics"]
    (missing,) = [d for d in shown if d["code"] == "WCT041"]
    assert "child runbook `latest_checks.yaml` not found" in missing["message"]
    assert str(project) in missing["message"]
    assert "${" not in json.dumps(shown)
    workspace.write("latest_checks.yaml", TOKEN_CHILD)
    main(["validate", str(runbook)])  # (this process' registry lacks the test components)
    assert "WCT041" not in (validated := capsys.readouterr().out) and "${" not in validated

    first = run_here(workspace, registry, runbook, dict(CI_ENV))
    run_id = first[0]["run_id"]
    error = next(e["error"] for e in first if e["event"] == "artifact_finished")
    assert error == "testdata/ready is missing"
    with RunStore(workspace.store, read_only=True) as store:
        recorded = store.plan_json(run_id)
    assert recorded["artifacts"][0]["definition"]["source"]["properties"] == {
        "fail_unless": "testdata/ready",
        "text": "a@b.com",
    }
    assert "secret_templates" not in json.dumps(recorded) and recorded["format"] == 1

    # the resume needs none of them, and reads the same paths
    (project / "testdata" / "ready").touch()
    resumed = run_here(workspace, registry, runbook, {}, resume=run_id)
    assert resumed[-1]["status"] == "completed"
    shown = json.dumps([*first, *resumed, recorded])
    assert "${" not in shown.replace("${CHILD", "")


# -- the plan a run records ---------------------------------------------------------------

PLANNED = """\
name: Plan with secrets
description: a DSN with a password, a token alone and a path that is no secret
artifacts:
  db:
    source:
      type: test_source
      properties:
        fail: "postgres://app:${DB_PASSWORD}@db/${DB_NAME:-prod}"
        text: ${API_TOKEN}
        record: ${LOG_DIR:-.}/runs.log
    output: true
"""


def test_a_recorded_plan_holds_templates_and_gives_back_what_was_planned(
    tmp_path: Path, registry: ComponentRegistry
) -> None:
    env = {"DB_PASSWORD": "p@ss/word+1", "API_TOKEN": "tok-123456", "LOG_DIR": "logs"}
    runbook = tmp_path / "plan.yaml"
    runbook.write_text(PLANNED, encoding="utf-8")
    plan = Planner(registry=registry, env=env).plan(runbook)

    recorded = json.loads(json.dumps(plan.to_json()))

    assert recorded["format"] == 2
    assert recorded["variables"] == ["API_TOKEN", "DB_NAME", "DB_PASSWORD", "LOG_DIR"]
    properties = recorded["artifacts"][0]["definition"]["source"]["properties"]
    assert properties == {
        "fail": "postgres://app:${DB_PASSWORD}@db/${DB_NAME:-prod}",
        "text": "${API_TOKEN}",
        "record": "logs/runs.log",  # LOG_DIR is no secret: its value is kept
    }
    assert "p@ss" not in json.dumps(recorded) and "tok-123456" not in json.dumps(recorded)
    assert ExecutionPlan.from_json(recorded, env) == plan
    assert ExecutionPlan.from_json(recorded).artifacts[0].definition.source is not None
    with pytest.raises(MissingSecrets) as missing:
        ExecutionPlan.from_json(recorded, {"API_TOKEN": "x"})
    assert missing.value.names == ("DB_PASSWORD",)


LEGACY_TEMPLATE = "scan.${CHILD_TOKEN}.found"


def test_a_plan_recorded_with_secret_variables_by_0e8d4c6_still_resumes(
    workspace: support.Workspace, registry: ComponentRegistry
) -> None:
    """That wct replaced every secret value found anywhere in the plan, ids included, and
    listed the names: the values come back from the environment, the ids from the run."""
    env = {"CHILD_TOKEN": CHILD_TOKEN, "DB_PASSWORD": "test-value"}
    parent = workspace.write("parent.yaml", TOKEN_PARENT)
    workspace.write(f"{CHILD_TOKEN}.yaml", TOKEN_CHILD)
    run_id = run_here(workspace, registry, parent, env)[0]["run_id"]
    with RunStore(workspace.store) as store:
        data = store.plan_json(run_id)
    text = json.dumps(data).replace(CHILD_TOKEN, "${CHILD_TOKEN}").replace("a@b.com", "${X}")
    legacy = json.loads(text)
    legacy["secret_variables"] = ["CHILD_TOKEN", "X"]
    legacy.pop("variables")
    assert legacy["artifacts"][1]["id"] == LEGACY_TEMPLATE
    with closing(sqlite3.connect(workspace.store / "runs.db")) as database, database:
        database.execute(  # what that wct wrote
            "UPDATE plans SET plan_json = ? WHERE run_id = ?", (json.dumps(legacy), run_id)
        )

    with RunStore(workspace.store) as store, pytest.raises(StoreError, match="set X to resume"):
        stored_plan(store, run_id, env)
    (workspace.folder / "ready").touch()
    resumed = run_here(workspace, registry, parent, {**env, "X": "a@b.com"}, resume=run_id)

    assert resumed[-1]["status"] == "completed"
    assert workspace.statuses(run_id) == {"files": "completed", LEGACY_TEMPLATE: "completed"}


# -- the rule itself, in process --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("DB_PASSWORD", True),
        ("PGPASSWORD", True),
        ("GITHUB_TOKEN", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("MYSQL_PWD", True),
        ("API_KEY", True),
        ("API_KEYS", True),
        ("STRIPE_SECRET_KEY", True),
        ("OPENAI_APIKEY", True),
        ("SMTP_PASS", True),
        ("GPG_PASSPHRASE", True),
        ("client-credentials", True),
        ("app.secrets", True),
        ("SSH_ASKPASS", False),
        ("GIT_ASKPASS", False),
        ("VSCODE_GIT_ASKPASS_NODE", False),
        ("SUDO_ASKPASS", False),
        ("SORT_KEY", False),
        ("PARTITION_KEY", False),
        ("CACHE_KEY", False),
        ("PRIMARY_KEY", False),
        ("SSH_KEY_PATH", False),
        ("GOOGLE_APPLICATION_CREDENTIALS_FILE", False),
        ("TOKEN_URL", False),
        ("SECRETS_DIR", False),
        ("BYPASS", False),
        ("MONKEY", False),
        ("KEY", False),
        ("TOKENIZERS_PARALLELISM", False),
        ("KEYRING_BACKEND", False),
        ("PASSWORDLESS_LOGIN", False),
        ("PWD", False),
        ("OLDPWD", False),
        ("HOME", False),
    ],
)
def test_which_names_are_secret(name: str, secret: bool) -> None:
    assert secret_name(name) is secret


def test_values_of_the_variables_used_are_replaced_longest_first_and_encoded() -> None:
    env = {
        "DB_PASSWORD": "p@ss/word+1",
        "DB_PASSWORD_OLD": "p@ss/word+1-old",
        "API_TOKEN": "abcde",  # too short to hide
        "SIGNING_KEY": "true",  # says nothing
        "DATABASE_URL": "postgres://app:hunter22@db/prod",  # a URL with a password
        "WCT_SECRET_VARIABLES": "CUSTOMER_ID, OTHER",
        "CUSTOMER_ID": "cust-4711",
        "HOME": "/home/someone",
        "OTHER_PASSWORD": "someone",  # not used by the runbook: never searched for
    }
    redact = Redactor.of(env, [name for name in env if name != "OTHER_PASSWORD"])

    assert redact("p@ss/word+1-old and p@ss/word+1") == "${DB_PASSWORD_OLD} and ${DB_PASSWORD}"
    assert redact("file:p%40ss%2Fword%2B1 or p%40ss/word%2B1") == (
        "file:${DB_PASSWORD} or ${DB_PASSWORD}"
    )
    assert redact("'abcde' is true") == "'abcde' is true"
    assert redact("cannot reach postgres://app:hunter22@db/prod") == "cannot reach ${DATABASE_URL}"
    assert redact("customer cust-4711 in /home/someone") == (
        "customer ${CUSTOMER_ID} in /home/someone"
    )
    assert Redactor.of(env, ["HOME", "API_TOKEN"]).names == ("CUSTOMER_ID",)  # listed
    assert not Redactor.of({**env, "WCT_SECRET_VARIABLES": ""}, ["HOME", "API_TOKEN"])
    assert Redactor.of(env, None)("/home/someone") == "/home/${OTHER_PASSWORD}"  # old plans

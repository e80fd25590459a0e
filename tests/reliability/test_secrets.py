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
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException

import execution_support as support
from lsp_support import TIMEOUT, LspSession, at, start_session
from waivern_orchestration.cli.app import main
from waivern_orchestration.redaction import (
    MissingSecrets,
    Redactor,
    redacted_names,
    restored,
    secret_name,
)

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
    assert "values are never shown" in seen(variable.contents.value)

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


# -- the rule itself, in process --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("DB_PASSWORD", True),
        ("PGPASSWORD", True),
        ("GITHUB_TOKEN", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("MYSQL_PWD", True),
        ("API_KEYS", True),
        ("client-credentials", True),
        ("TOKENIZERS_PARALLELISM", False),
        ("KEYRING_BACKEND", False),
        ("PWD", False),
        ("OLDPWD", False),
        ("HOME", False),
    ],
)
def test_which_names_are_secret(name: str, secret: bool) -> None:
    assert secret_name(name) is secret


def test_values_are_replaced_longest_first_and_in_their_encoded_forms() -> None:
    redact = Redactor.of(
        {
            "DB_PASSWORD": "p@ss/word+1",
            "DB_PASSWORD_OLD": "p@ss/word+1-old",
            "API_TOKEN": "abc",  # too short to hide
            "SIGNING_KEY": "true",  # says nothing
            "DATABASE_URL": "postgres://app:hunter22@db/prod",  # a URL with a password
            "WCT_SECRET_VARIABLES": "CUSTOMER_ID, OTHER",
            "CUSTOMER_ID": "cust-4711",
            "HOME": "/home/someone",
        }
    )

    assert redact("p@ss/word+1-old and p@ss/word+1") == "${DB_PASSWORD_OLD} and ${DB_PASSWORD}"
    assert redact("file:p%40ss%2Fword%2B1 or p%40ss/word%2B1") == (
        "file:${DB_PASSWORD} or ${DB_PASSWORD}"
    )
    assert redact("'abc' is true") == "'abc' is true"
    assert redact("cannot reach postgres://app:hunter22@db/prod") == "cannot reach ${DATABASE_URL}"
    assert redact("customer cust-4711 in /home/someone") == (
        "customer ${CUSTOMER_ID} in /home/someone"
    )
    assert not Redactor.of({"HOME": "/home/someone", "API_TOKEN": "abc"})


def test_a_recorded_plan_gives_back_exactly_what_was_planned() -> None:
    env = {"DB_PASSWORD": "p@ss/word+1", "DB_PASSWORD_OLD": "p@ss/word+1-old"}
    redact = Redactor.of(env)
    planned = {
        "dsn": "sqlite:p@ss/word+1-old",
        "encoded": "p%40ss%2Fword%2B1",  # written so in the runbook: kept as it is
        "items": ["x p@ss/word+1 y", 3, None],
    }

    recorded = redact.data(planned)

    assert recorded == {
        "dsn": "sqlite:${DB_PASSWORD_OLD}",
        "encoded": "p%40ss%2Fword%2B1",
        "items": ["x ${DB_PASSWORD} y", 3, None],
    }
    names = redacted_names(recorded, redact)
    assert names == ["DB_PASSWORD", "DB_PASSWORD_OLD"]
    assert restored(recorded, names, env) == planned
    with pytest.raises(MissingSecrets) as missing:
        restored(recorded, names, {"DB_PASSWORD": "p@ss/word+1"})
    assert missing.value.names == ("DB_PASSWORD_OLD",)

"""A damaged or unusable run store, as users and disks make them: every command that uses
the store says what is wrong in one line naming the store, exits 2, prints no traceback,
and leaves the file as it found it; `wct validate` says a `reuse` cannot be checked.

The commands run in this process (`wct`'s own entry point), except where the fault needs
another user (a read-only store: root writes anyway) or a process limit (a full disk:
`ulimit -f`).
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import execution_support as support
from runbook_samples import SCAN
from waivern_orchestration.cli.app import main as wct
from waivern_orchestration.execution.events import SilentSink
from waivern_orchestration.execution.runs import RunRequest, execute
from waivern_orchestration.store.run_store import STORE_FILE

COMMANDS = (
    ("runs",),
    ("runs", "--json"),
    ("inspect", "{run}"),
    ("inspect", "{run}", "findings", "--json"),
    ("export", "{run}"),
    ("export", "{run}", "--format", "sarif"),
    ("poll", "{run}"),
    ("run", "{runbook}"),
    ("run", "{runbook}", "--resume", "{run}"),
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A runbook with data, run once: its store holds a completed run."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "note.txt").write_text("write to ada@example.com\n", encoding="utf-8")
    (tmp_path / "runbook.yaml").write_text(SCAN, encoding="utf-8")
    return tmp_path


def _run_once(project: Path, *, failing: bool = False) -> str:
    """A run of the project's runbook (``failing``: its data folder missing, so the run
    fails and can be resumed)."""
    data = project / "data"
    hidden = project / "data.hidden"
    if failing:
        data.rename(hidden)
    request = RunRequest(project / "runbook.yaml", project / ".waivern", env={})
    outcome = execute(request, SilentSink(), lambda notice: None)
    if failing:
        hidden.rename(data)
    with contextlib.closing(sqlite3.connect(project / ".waivern" / STORE_FILE)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file
    return outcome.run_id


def _every_command_says_it_in_one_line(
    project: Path, run_id: str, capsys: pytest.CaptureFixture[str], expected: str
) -> None:
    store = project / ".waivern"
    before = _snapshot(store)
    for command in COMMANDS:
        argv = [part.format(run=run_id, runbook=project / "runbook.yaml") for part in command] + [
            "--store",
            str(store),
        ]
        code = wct(argv)
        out, err = capsys.readouterr()
        assert code == 2, (argv, out, err)
        assert err.count("\n") == 1, (argv, err)
        assert err.startswith(f"wct: the run store at {store}") or err.startswith(
            f"wct: {store / STORE_FILE}"
        ), (argv, err)
        assert expected in err, (argv, err)
        assert "Traceback" not in out + err
    assert _snapshot(store) == before, "a command changed the damaged store"


def _snapshot(store: Path) -> dict[str, bytes | str]:
    found: dict[str, bytes | str] = {}
    for path in sorted(store.iterdir()):
        if path.name.endswith((".lock", "-shm")):
            continue  # the lock and the shared-memory index are not data
        if path.is_file() and path.name.endswith("-wal") and not path.stat().st_size:
            continue  # an empty log is no log (SQLite removes it when the last one closes)
        found[path.name] = path.read_bytes() if path.is_file() else "directory"
    return found


def _damage(project: Path, change: Callable[[Path], None]) -> str:
    run_id = _run_once(project)
    change(project / ".waivern" / STORE_FILE)
    return run_id


def test_a_file_that_is_not_a_database(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_id = _damage(project, lambda path: path.write_bytes(os.urandom(8192)))
    _every_command_says_it_in_one_line(project, run_id, capsys, "is damaged or is not a run store")


def test_a_store_truncated_to_half(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def truncate(path: Path) -> None:
        with path.open("r+b") as file:
            file.truncate(path.stat().st_size // 2)

    run_id = _damage(project, truncate)
    _every_command_says_it_in_one_line(project, run_id, capsys, "is damaged or is not a run store")


def test_corrupt_pages(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def scribble(path: Path) -> None:
        with path.open("r+b") as file:
            for page in range(1, path.stat().st_size // 4096):
                file.seek(page * 4096)
                file.write(b"\xff" * 64)

    run_id = _damage(project, scribble)
    _every_command_says_it_in_one_line(project, run_id, capsys, "is damaged or is not a run store")


def test_a_store_truncated_to_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_id = _damage(project, lambda path: path.write_bytes(b""))
    _every_command_says_it_in_one_line(project, run_id, capsys, "is an empty file (0 bytes)")


def test_a_directory_in_place_of_the_store(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def replace(path: Path) -> None:
        for leftover in path.parent.glob(f"{STORE_FILE}*"):
            leftover.unlink()
        path.mkdir()

    run_id = _damage(project, replace)
    _every_command_says_it_in_one_line(project, run_id, capsys, "is not a file")


def test_a_database_of_something_else(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def foreign(path: Path) -> None:
        for leftover in path.parent.glob(f"{STORE_FILE}*"):
            leftover.unlink()
        with contextlib.closing(sqlite3.connect(path)) as db:
            db.execute("CREATE TABLE customers (name TEXT)")
            db.commit()

    run_id = _damage(project, foreign)
    _every_command_says_it_in_one_line(project, run_id, capsys, "but not a run store")


def test_a_store_missing_a_column(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def drift(path: Path) -> None:
        with contextlib.closing(sqlite3.connect(path)) as db:
            db.execute("ALTER TABLE artifacts DROP COLUMN warnings_json")
            db.commit()

    run_id = _damage(project, drift)
    _every_command_says_it_in_one_line(
        project, run_id, capsys, "does not have the tables its schema version says"
    )


def test_damaged_json_in_the_store(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def garble(path: Path) -> None:
        with contextlib.closing(sqlite3.connect(path)) as db:
            db.execute("UPDATE plans SET plan_json = '{not json'")
            db.execute("UPDATE artifacts SET warnings_json = 'nope'")
            db.execute("UPDATE messages SET message_json = '[1'")
            db.commit()

    run_id = _damage(project, garble)
    store = project / ".waivern"
    for argv in (["inspect", run_id], ["inspect", run_id, "findings"], ["run", "x"]):
        if argv[0] == "run":
            argv = ["run", str(project / "runbook.yaml"), "--resume", run_id]
        code = wct([*argv, "--store", str(store)])
        out, err = capsys.readouterr()
        assert code == 2, (argv, out, err)
        assert err.count("\n") == 1 and "holds damaged data" in err, (argv, err)


def test_validate_says_a_reuse_cannot_be_checked_in_a_damaged_store(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = _damage(project, lambda path: path.write_bytes(os.urandom(8192)))
    reusing = project / "reusing.yaml"
    reusing.write_text(
        "name: Reuse\ndescription: an earlier run's findings\nartifacts:\n  old:\n"
        f"    reuse: {{from_run: {run_id}, artifact: findings}}\n"
        "    output_schema: personal_data_finding/1.0.0\n    output: true\n",
        encoding="utf-8",
    )

    wct(["validate", str(reusing), "--store", str(project / ".waivern")])

    out, err = capsys.readouterr()
    assert f"WCT060 run `{run_id}` cannot be checked: the run store at " in out
    assert "is damaged or is not a run store" in out
    assert "Traceback" not in out + err


# -- faults that need another process ------------------------------------------------------


def _wct_process(
    argv: list[str], cwd: Path, preexec: Callable[[], None] | None = None, user: int | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "waivern_orchestration.cli.app", *argv]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=60, preexec_fn=preexec
    )


@pytest.fixture
def world_readable_project() -> Iterator[Path]:
    """A project another user can reach (pytest's own folders are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="wct-faults-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv (util-linux)")
def test_a_read_only_store(world_readable_project: Path) -> None:
    project = world_readable_project
    (project / "data").mkdir()
    (project / "runbook.yaml").write_text(SCAN, encoding="utf-8")
    run_id = _run_once(project)
    store = project / ".waivern"
    for path in store.iterdir():
        path.chmod(0o444)
    store.chmod(0o555)
    nobody = 65534
    finished = _wct_process(["run", "runbook.yaml", "--store", str(store)], project, user=nobody)
    assert finished.returncode == 2, finished.stderr
    assert finished.stderr.count("\n") == 1, finished.stderr
    assert finished.stderr.startswith(f"wct: the run store at {store}"), finished.stderr
    for argv in (["runs"], ["inspect", run_id]):  # reading works, or says why in one line
        read = _wct_process([*argv, "--store", str(store)], project, user=nobody)
        assert read.returncode == 0 or read.stderr.count("\n") == 1, read.stderr
        assert "Traceback" not in read.stderr


def test_a_full_disk_during_a_run(project: Path) -> None:
    run_id = _run_once(project, failing=True)
    store = project / ".waivern"

    def full_disk() -> None:  # no file may grow (`ulimit -f 0`): every write fails
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    for argv in (["run", "runbook.yaml"], ["run", "runbook.yaml", "--resume", run_id]):
        finished = _wct_process([*argv, "--store", str(store)], project, preexec=full_disk)
        assert finished.returncode == 2, finished.stderr
        assert finished.stderr.count("\n") == 1, finished.stderr
        assert finished.stderr.startswith(f"wct: the run store at {store}"), finished.stderr
        assert "Traceback" not in finished.stderr


def test_a_store_removed_while_a_run_goes_on(workspace: support.Workspace) -> None:
    runbook = workspace.write(
        "runbook.yaml",
        support.runbook_text(
            {"first": support.source(seconds=60, until="go"), "then": support.derived("first")}
        ),
    )
    process = workspace.start_wct("run", runbook, "--events", "--store", workspace.store)
    assert process.stdout is not None
    for line in process.stdout:
        if '"artifact_started"' in line:
            break
    shutil.rmtree(workspace.store)  # (moved away, or deleted by someone cleaning up)
    (workspace.folder / "go").touch()
    _, errors = process.communicate(timeout=60)

    assert process.returncode == 2, errors
    assert errors.count("\n") == 1, errors
    store = workspace.store
    assert errors.startswith(f"wct: the run store at {store} was removed or replaced"), errors
    assert not store.exists()  # nothing made again in its place

"""Real database servers for the connector tests, started by the tests themselves: a
throw-away data directory and port per test module, stopped after it (PostgreSQL and
MariaDB).

PostgreSQL (Debian `postgresql`, installed by `make test`): `initdb` and `pg_ctl` from
`/usr/lib/postgresql/<version>/bin`. They refuse to run as root, so as root they run as
the `postgres` user, in a folder that user owns.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ADMIN = "wct_admin"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_owner(command: Sequence[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *command] if owner else list(command)


@dataclass(frozen=True)
class Postgres:
    port: int
    admin_password: str
    host: str = "127.0.0.1"

    def execute(self, statements: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(
            host=self.host,
            port=self.port,
            user=ADMIN,
            password=self.admin_password,
            dbname=database,
            autocommit=True,
        ) as connection:
            for statement in filter(None, (part.strip() for part in statements.split(";"))):
                connection.execute(statement)  # type: ignore[arg-type]


def _postgres_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not versions:
        raise RuntimeError(
            "PostgreSQL is not installed (Debian `postgresql`: make test installs it)"
        )
    return versions[-1].parent


@contextmanager
def postgres_server() -> Iterator[Postgres]:
    """A PostgreSQL server on a free port of 127.0.0.1 with password (scram) logins, its
    data in a folder of its own (which its user can reach: pytest's are root's alone);
    stopped (immediately) and removed when the block ends."""
    binaries = _postgres_bin()
    owner = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="wct-postgres-"))
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    password = secrets.token_hex(12)
    (folder / "admin.pw").write_text(password + "\n", encoding="utf-8")
    if owner:
        shutil.chown(folder, owner)
        shutil.chown(sockets, owner)
        shutil.chown(folder / "admin.pw", owner)
    subprocess.run(
        _as_owner(
            [
                str(binaries / "initdb"), "-D", str(data), "-U", ADMIN,
                "--pwfile", str(folder / "admin.pw"), "--auth=scram-sha-256", "-E", "UTF8",
                "--no-sync",
            ],
            owner,
        ),
        check=True,
        capture_output=True,
    )  # fmt: skip
    port = free_port()
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    control = [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log")]
    subprocess.run(
        _as_owner([*control, "-o", options, "-w", "start"], owner), check=True, capture_output=True
    )
    try:
        yield Postgres(port, password)
    finally:
        subprocess.run(
            _as_owner([*control, "-m", "immediate", "stop"], owner),
            check=False,
            capture_output=True,
        )


@dataclass(frozen=True)
class Mariadb:
    port: int
    socket: str
    host: str = "127.0.0.1"

    def execute(self, statements: str, database: str | None = None) -> None:
        import pymysql

        connection = pymysql.connect(
            unix_socket=self.socket, user="root", database=database, autocommit=True
        )
        try:
            with connection.cursor() as cursor:
                for statement in filter(None, (part.strip() for part in statements.split(";"))):
                    cursor.execute(statement)
        finally:
            connection.close()


@contextmanager
def mariadb_server() -> Iterator[Mariadb]:
    """A MariaDB server (Debian `mariadb-server`, installed by `make test`) on a free port
    of 127.0.0.1, its data in a folder of its own; `root` logs in on its socket. Stopped
    and removed when the block ends."""
    import pymysql

    if shutil.which("mariadbd") is None and not Path("/usr/sbin/mariadbd").exists():
        raise RuntimeError(
            "MariaDB is not installed (Debian `mariadb-server`: make test installs it)"
        )
    server = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
    install = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
    user = "mysql" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="wct-mariadb-"))
    data = folder / "data"
    if user:
        shutil.chown(folder, user)
    subprocess.run(
        [
            install, "--no-defaults", f"--datadir={data}", *([f"--user={user}"] if user else []),
            "--auth-root-authentication-method=normal", "--skip-test-db",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    port, socket_path = free_port(), str(folder / "mysqld.sock")
    process = subprocess.Popen(
        [
            server, "--no-defaults", f"--datadir={data}", f"--socket={socket_path}",
            f"--port={port}", "--bind-address=127.0.0.1", "--skip-log-bin",
            f"--pid-file={folder / 'mysqld.pid'}", f"--log-error={folder / 'error.log'}",
            *([f"--user={user}"] if user else []),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:  # until it answers (or stopped, or a minute passed)
            try:
                pymysql.connect(unix_socket=socket_path, user="root", connect_timeout=1).close()
                break
            except pymysql.Error:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (folder / "error.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"MariaDB did not start: {log}") from None
                time.sleep(0.1)
        yield Mariadb(port, socket_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class ScanSeen:
    """What a user sees of a database scan run with `wct` (run, then inspect)."""

    findings: list[dict[str, Any]]
    said: str  # everything `wct run --events` and `wct inspect` printed
    stored: bytes  # the run store's database file


def scan_with_wct(folder: Path, connector: str, port: int, password: str) -> ScanSeen:
    """`wct run` of a runbook scanning the `customers` table of the `shop` database on
    ``port`` with ``connector``, the password given as `${SHOP_PASSWORD}`; then `wct
    inspect` of its findings."""
    import json
    import sys

    runbook = folder / "runbook.yaml"
    runbook.write_text(
        f"""\
name: shop scan
description: personal data in the shop database
artifacts:
  shop:
    source:
      type: {connector}
      properties:
        host: 127.0.0.1
        port: {port}
        database: shop
        user: scanner
        password: ${{SHOP_PASSWORD}}
        tables: [customers]
  findings:
    inputs: shop
    process: {{type: personal_data}}
    output: true
""",
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "waivern_orchestration.cli.app"]
    env = {"SHOP_PASSWORD": password, "PATH": "/usr/bin:/bin"}
    store = folder / "store"
    run = subprocess.run(
        [*command, "run", str(runbook), "--events", "--store", str(store)],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    run_id = json.loads(run.stdout.splitlines()[0])["run_id"]
    shown = subprocess.run(
        [*command, "inspect", run_id, "findings", "--store", str(store)],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    findings = json.loads(shown.stdout)["content"]["findings"]
    said = run.stdout + run.stderr + shown.stdout + shown.stderr
    return ScanSeen(findings, said, (store / "runs.db").read_bytes())

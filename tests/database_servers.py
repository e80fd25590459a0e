"""Real database servers for the connector tests, started by the tests themselves: a
throw-away data directory and port per test module, stopped after it.

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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

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

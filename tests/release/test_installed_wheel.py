"""What a user who installs rather than clones does first, against the wheel built from
this checkout and installed (not editable) into a fresh virtual environment: `wct
--version`, `wct validate` and `wct run` on the examples, `wct components`, `wct schema`,
and `wct lsp` answering initialize, hover and a diagnostic whose documentation link
resolves inside the installed package.

Nothing of the checkout can leak in: the commands run from the new environment, in a
folder outside the checkout, with an environment of their own (no PYTHONPATH, no
VIRTUAL_ENV of the checkout's `.venv`, no pytest `pythonpath`). A module or data file the
wheel lacks fails here.

The sdist is built once per module from a copy of the checkout's files (those git tracks
or would: a stale *.egg-info/SOURCES.txt of the checkout would otherwise put files in the
sdist that pyproject.toml no longer lists), then the wheel from the sdist, as `make dist`
does but without build isolation (the build tools are in the dev extras); one install,
whose dependencies come from the package index through pip's cache."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest

from waivern_orchestration import __version__
from wire_client import WireClient

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 300  # the install fetches the dependencies on a machine with a cold pip cache

BROKEN_RUNBOOK = """\
name: Installed check
description: A scan whose findings name an artifact that does not exist.

artifacts:
  files:
    description: Every file under ./data, one item per file.
    source:
      type: filesystem
      properties:
        path: data

  findings:
    description: Personal data found in the files.
    inputs: filez
    process:
      type: personal_data
    output: true
"""


@dataclass(frozen=True)
class Installed:
    venv: Path
    home: Path  # a folder outside the checkout, the user's working directory
    env: dict[str, str]

    @property
    def wct(self) -> str:
        return str(self.venv / "bin" / "wct")

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")

    def run(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return _run(args, cwd=cwd or self.home, env=self.env)


def _run(
    args: Sequence[str], cwd: Path, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def _succeeded(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"{result.args} exited {result.returncode}:\n{result.stderr}"
    return result.stdout


def _user_env(venv: Path) -> dict[str, str]:
    """A shell's environment with the new environment activated, nothing else of ours."""
    names = ("HOME", "USER", "LANG", "LC_ALL", "TMPDIR")
    env = {name: os.environ[name] for name in names if name in os.environ}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), "/usr/local/bin", "/usr/bin", "/bin"])
    env["VIRTUAL_ENV"] = str(venv)
    env["COLUMNS"] = "200"  # tables on one line each, whatever the terminal
    return env


def _pip_env() -> dict[str, str]:
    """This environment for pip (its proxy, index and cache settings) without Python's."""
    return {name: value for name, value in os.environ.items() if not name.startswith("PYTHON")}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("release")
    source = _copy_of_the_checkout(base / "source")
    dist = base / "dist"
    build = [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source)]
    _succeeded(_run(build, cwd=base, env=_pip_env(), timeout=TIMEOUT))
    (wheel,) = dist.glob("waivern_tooling-*.whl")

    venv = base / "venv"
    _succeeded(_run([sys.executable, "-m", "venv", "--without-pip", str(venv)], base, _pip_env()))
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python")]
    install = [*pip, "install", "--quiet", "--disable-pip-version-check", str(wheel)]
    _succeeded(_run(install, cwd=base, env=_pip_env(), timeout=TIMEOUT))

    home = base / "home"
    shutil.copytree(ROOT / "examples", home, ignore=shutil.ignore_patterns("*.db", ".waivern"))
    yield Installed(venv=venv, home=home, env=_user_env(venv))


def _copy_of_the_checkout(target: Path) -> Path:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    for name in listed.stdout.decode().split("\0"):
        path = ROOT / name
        if name and path.is_file():  # not a deletion git has yet to be told of
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / name)
    return target


def test_the_packages_come_from_the_new_environment(installed: Installed) -> None:
    where = _succeeded(
        installed.run(
            installed.python,
            "-c",
            "import sys, waivern_orchestration, waivern_lsp; "
            "print(waivern_orchestration.__file__); print(waivern_lsp.__file__); "
            "print(*sys.path, sep='\\n')",
        )
    ).splitlines()
    assert all(Path(path).is_relative_to(installed.venv) for path in where[:2]), where
    # sys.path as the child saw it ('' is its working directory, outside the checkout)
    searched = [(installed.home / path).resolve() for path in where[2:]]
    assert not [path for path in searched if path.is_relative_to(ROOT)], searched


def test_wct_version_is_the_release_version(installed: Installed) -> None:
    assert _succeeded(installed.run(installed.wct, "--version")) == f"wct {__version__}\n"


def test_the_examples_validate_and_run(installed: Installed) -> None:
    _succeeded(installed.run(installed.python, "customer_scan/build_db.py"))

    validated = installed.run(
        installed.wct, "validate", "simple_files/runbook.yaml", "customer_scan/runbook.yaml"
    )
    _succeeded(validated)
    assert validated.stderr == "2 files checked: 0 errors\n"

    for runbook in ("simple_files/runbook.yaml", "customer_scan/runbook.yaml"):
        ran = installed.run(installed.wct, "run", runbook)
        assert ": completed" in _succeeded(ran) + ran.stderr
    runs = json.loads(_succeeded(installed.run(installed.wct, "runs", "--json")))
    assert [run["status"] for run in runs] == ["completed", "completed"]


def test_components_and_schemas_are_the_checkouts(installed: Installed) -> None:
    components = _succeeded(installed.run(installed.wct, "components", "--json"))
    names = {component["name"] for component in _components(json.loads(components))}
    assert {
        "filesystem",
        "sqlite",
        "postgresql",
        "mysql",
        "personal_data",
        "findings_summary",
    } <= names

    # The runbook schema and the message schemas, as `make schema` checked them in.
    written = installed.home / "schemas"
    _succeeded(installed.run(installed.wct, "schema", "--dir", str(written)))
    assert sorted(path.name for path in written.iterdir())
    for path in written.iterdir():
        assert path.read_text() == (ROOT / "schemas" / path.name).read_text(), path.name
    printed = _succeeded(installed.run(installed.wct, "schema"))
    assert printed == (ROOT / "schemas" / "runbook.schema.json").read_text()


def _components(listing: object) -> list[dict[str, object]]:
    # {"connectors": [...], "processors": [...]}: every component, whatever its kind.
    assert isinstance(listing, dict), listing
    return [component for kind in listing.values() for component in kind]


def test_the_language_server_answers_and_links_its_docs(installed: Installed) -> None:
    runbook = installed.home / "broken" / "runbook.yaml"
    runbook.parent.mkdir()
    runbook.write_text(BROKEN_RUNBOOK, encoding="utf-8")
    client = WireClient(runbook.parent, command=[installed.wct, "lsp"], env=installed.env)
    try:
        assert client.initialize()["serverInfo"]["version"] == __version__
        uri = client.open("runbook.yaml", BROKEN_RUNBOOK)
        document = {"textDocument": {"uri": uri}}

        hover = client.result("textDocument/hover", {**document, "position": _at("files:")})
        assert "Every file under ./data" in json.dumps(hover)

        report = client.result("textDocument/diagnostic", document)
        (problem,) = [item for item in report["items"] if item["code"] == "WCT010"]
        assert problem["range"]["start"] == _at("filez")
        # the published docs, at the code's own section (set once: the Documentation URL)
        link = urlparse(problem["codeDescription"]["href"])
        assert (link.scheme, link.netloc, link.fragment) == ("https", "github.com", "wct010")
        assert link.path.endswith("/blob/main/docs/diagnostics.md"), link.path
        docs = ROOT / "docs" / "diagnostics.md"
        assert f'<a id="{link.fragment}"></a>' in docs.read_text(encoding="utf-8")

        client.result("shutdown")
        assert client.exit() == 0
    finally:
        client.close()


def _at(text: str) -> dict[str, int]:
    """The position of `text` in BROKEN_RUNBOOK."""
    for line, content in enumerate(BROKEN_RUNBOOK.splitlines()):
        if text in content:
            return {"line": line, "character": content.index(text)}
    raise AssertionError(text)

"""What a release publishes agrees with itself: one licence (Apache-2.0, LICENSE at the
root, declared by the wheel and the extension, packed into the `.vsix`), one version
number (`waivern_orchestration.__version__`, which the wheel reads; the extension's
package.json and lock file, the language server and CHANGELOG.md checked against it)."""

from __future__ import annotations

import json
import os
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest

import waivern_lsp
from waivern_orchestration import __version__

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "vscode-extension"
VSIX = EXTENSION / "dist" / "waivern-runbooks.vsix"
LICENSE = (ROOT / "LICENSE").read_text(encoding="utf-8")


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_licence_is_the_full_apache_2_0_text() -> None:
    assert LICENSE.lstrip().startswith("Apache License\n                           Version 2.0")
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in LICENSE
    assert "END OF TERMS AND CONDITIONS" in LICENSE
    assert len(LICENSE.split()) > 1500


def test_the_wheel_declares_the_licence_and_reads_the_version_from_the_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "Apache-2.0"
    assert project["project"]["license-files"] == ["LICENSE"]
    assert project["project"]["dynamic"] == ["version"]
    version = project["tool"]["setuptools"]["dynamic"]["version"]
    assert version == {"attr": "waivern_orchestration.__version__"}


def test_the_language_server_reports_the_release_version() -> None:
    assert waivern_lsp.__version__ == __version__


def test_the_extension_has_the_release_version_and_licence() -> None:
    package = _json(EXTENSION / "package.json")
    lock = _json(EXTENSION / "package-lock.json")
    assert (package["version"], package["license"]) == (__version__, "Apache-2.0")
    assert (lock["version"], lock["packages"][""]["version"]) == (__version__, __version__)
    assert lock["packages"][""]["license"] == "Apache-2.0"
    assert "--skip-license" not in package["scripts"]["package"]


def test_the_changelog_has_an_entry_for_the_release_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog
    assert f"\n## [{__version__}] - " in changelog
    assert f"\n[{__version__}]: " in changelog


def test_the_vsix_carries_the_licence_and_the_changelog() -> None:
    if not VSIX.exists():
        message = f"no {VSIX.relative_to(ROOT)}: `make extension` builds it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with zipfile.ZipFile(VSIX) as vsix:
        packed = _json_bytes(vsix.read("extension/package.json"))
        assert (packed["version"], packed["license"]) == (__version__, "Apache-2.0")
        assert vsix.read("extension/LICENSE.txt").decode() == LICENSE
        assert f"\n## [{__version__}] - " in vsix.read("extension/changelog.md").decode()


def test_the_vsix_names_every_package_it_bundles_with_its_licence() -> None:
    """elkjs (the DAG layout) is EPL-2.0: its licence and where its source is must travel
    with the code; so do the MIT notices of the language client and the others."""
    if not VSIX.exists():
        message = f"no {VSIX.relative_to(ROOT)}: `make extension` builds it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    package = json.loads((ROOT / "vscode-extension" / "package.json").read_text("utf-8"))
    with zipfile.ZipFile(VSIX) as vsix:
        notices = vsix.read("extension/dist/THIRD-PARTY-NOTICES.txt").decode()
    for name in package["dependencies"]:
        assert f"\n{name} " in notices, name
    elk = notices.split("\nelkjs ", 1)[1].split("\n" + "-" * 78, 1)[0]
    assert "License: EPL-2.0" in elk
    assert "Source: https://github.com/kieler/elkjs" in elk
    assert "Eclipse Public License" in elk


def _json_bytes(data: bytes) -> Any:
    return json.loads(data.decode("utf-8"))

"""Which YAML documents this server serves (DESIGN.md §5): those matching the runbook
globs, or whose root mapping has `artifacts`. Other YAML files get nothing from it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path, PurePosixPath

# A root mapping key `artifacts` at column 0, as block YAML writes it; also the flow
# form `{... artifacts: ...}`. Text-level so it holds while the document does not parse.
_ROOT_ARTIFACTS = re.compile(r"^(?:artifacts|\"artifacts\"|'artifacts')[ \t]*:", re.MULTILINE)
_FLOW_ROOT = re.compile(r"\A(?:\s*#[^\n]*\n|\s)*\{[^\n]*\bartifacts\s*:")


def has_artifacts(text: str) -> bool:
    return _ROOT_ARTIFACTS.search(text) is not None or _FLOW_ROOT.search(text) is not None


def is_yaml_path(path: Path) -> bool:
    return path.suffix.lower() in {".yaml", ".yml"}


def is_runbook(path: Path, text: str, globs: Sequence[str], roots: Iterable[Path]) -> bool:
    if not is_yaml_path(path):
        return False
    return has_artifacts(text) or matches_globs(path, globs, roots)


def matches_globs(path: Path, globs: Sequence[str], roots: Iterable[Path]) -> bool:
    """`**` spans folders, `*` and `?` stay within one. A relative glob is matched
    against the path relative to each workspace folder (and, with none, the whole path
    when it starts with `**/`)."""
    candidates = [PurePosixPath(path.as_posix())]
    for root in roots:
        try:
            candidates.append(PurePosixPath(path.relative_to(root).as_posix()))
        except ValueError:
            continue
    for glob in globs:
        pattern = _compiled(glob)
        absolute = glob.startswith("/")
        for candidate in candidates:
            if candidate.is_absolute() != absolute and not glob.startswith("**/"):
                continue
            text = str(candidate)
            if glob.startswith("**/") and candidate.is_absolute():
                text = text.lstrip("/")
            if pattern.fullmatch(text):
                return True
    return False


@lru_cache(maxsize=64)
def _compiled(glob: str) -> re.Pattern[str]:
    out: list[str] = []
    index = 0
    while index < len(glob):
        if glob.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif glob.startswith("**", index):
            out.append(".*")
            index += 2
        elif glob[index] == "*":
            out.append("[^/]*")
            index += 1
        elif glob[index] == "?":
            out.append("[^/]")
            index += 1
        else:
            out.append(re.escape(glob[index]))
            index += 1
    return re.compile("".join(out))

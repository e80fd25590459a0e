"""Where a child runbook path leads: the parent's directory first, then its
`config.template_paths` (relative to the runbook's directory, never the working
directory), then the root runbook's (at every level of nesting, as the original `wct`
does). Anything whose real path (symlinks resolved) falls outside those
directories is refused."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath


@dataclass(frozen=True, slots=True)
class ChildLocation:
    path: Path | None  # the real path of the child file, when found and allowed
    code: str | None  # WCT040 / WCT041 when not
    message: str | None


def search_directories(
    runbook_dir: Path, template_paths: Sequence[str], root_templates: Sequence[Path] = ()
) -> list[Path]:
    """The runbook's directory, its own `config.template_paths`, then the root runbook's
    (``root_templates``, absolute), each once."""
    directories = [runbook_dir]
    for template in template_paths:
        candidate = Path(template)
        directories.append(candidate if candidate.is_absolute() else runbook_dir / candidate)
    directories += [directory for directory in root_templates if directory not in directories]
    return directories


def root_template_directories(root_dir: Path, template_paths: Sequence[str]) -> tuple[Path, ...]:
    """The root runbook's `config.template_paths` as absolute directories."""
    return tuple(search_directories(root_dir, template_paths)[1:])


def locate_child(
    path_text: str,
    runbook_dir: Path,
    template_paths: Sequence[str],
    root_templates: Sequence[Path] = (),
) -> ChildLocation:
    directories = search_directories(runbook_dir, template_paths, root_templates)
    allowed = [real_path(directory) for directory in directories]
    for directory in directories:
        candidate = directory / path_text
        if not candidate.is_file():
            if candidate.exists() and not candidate.is_dir():  # a FIFO, a device, a socket
                return ChildLocation(
                    None,
                    "WCT041",
                    f"child runbook `{path_text}` is not a regular file (`{candidate}`): "
                    "a runbook is read from a file",
                )
            continue
        real = real_path(candidate)
        if not any(real.is_relative_to(root) for root in allowed):
            return ChildLocation(
                None,
                "WCT040",
                f"child runbook `{path_text}` resolves to `{real}`, outside the runbook's "
                "directory and `config.template_paths` (a symlink?)",
            )
        return ChildLocation(real, None, None)
    searched = ", ".join(f"`{directory}`" for directory in directories)
    return ChildLocation(
        None,
        "WCT041",
        f"child runbook `{path_text}` not found (searched {searched}); check the name or add "
        "its folder to `config.template_paths`",
    )


def real_path(path: Path) -> Path:
    """The path with symlinks resolved (as far as they resolve)."""
    try:
        return path.resolve(strict=False)
    except (OSError, RuntimeError):  # symlink loops
        return path.absolute()


def child_path_problem(text: str) -> str | None:
    """Why a child runbook path is refused on its face (before touching the disk)."""
    if not text.strip():
        return "child runbook path is empty"
    if (
        PurePosixPath(text).is_absolute()
        or PureWindowsPath(text).is_absolute()
        or text.startswith(("/", "\\", "~"))
        or PureWindowsPath(text).drive
    ):
        return (
            f"child runbook path `{text}` is absolute: give a path relative to the runbook's "
            "directory or one of `config.template_paths`"
        )
    if ".." in re.split(r"[\\/]", text):
        return (
            f"child runbook path `{text}` leaves the allowed directories (`..`): move the "
            "child into the runbook's directory or add its folder to `config.template_paths`"
        )
    return None

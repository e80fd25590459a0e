"""Where the user documentation is, for the links the server gives (a diagnostic code's
`codeDescription`): in an installed wheel, `waivern_lsp/docs/` (setup.py copies docs/
there); in a checkout or an editable install, the checkout's `docs/`. No link rather than
a link to nowhere when neither is there."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
# The installed copy first: an installed package never links into a checkout.
_PLACES = (_PACKAGE / "docs", _PACKAGE.parents[1] / "docs")


@cache
def docs_folder() -> Path | None:
    for folder in _PLACES:
        if (folder / "diagnostics.md").is_file():
            return folder
    return None


def diagnostic_code_link(code: str) -> str | None:
    """The `file:` URI of the code's section in diagnostics.md (`#wct010`)."""
    folder = docs_folder()
    if folder is None:
        return None
    return f"{(folder / 'diagnostics.md').as_uri()}#{code.lower()}"

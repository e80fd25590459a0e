"""Where the user documentation is, for the links the server gives (a diagnostic code's
`codeDescription`): the published docs, whose address is set once, as the distribution's
`Documentation` project URL in pyproject.toml. A link opens the code's own section (each
has an `<a id="wct010">` anchor) in a browser, from any editor, whether `wct` runs from a
checkout or a wheel (a `file:` link into the installed package opened as raw Markdown at
its first line in VS Code, and not at all where the package holds no docs)."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, metadata

DISTRIBUTION = "waivern-tooling"
# Used only when the distribution's metadata cannot be read (a bare source tree).
PUBLISHED_DOCS = "https://github.com/waivern/waivern-runbooks/blob/main/docs"


@cache
def docs_url() -> str:
    """The published docs folder, without a trailing `/`."""
    try:
        urls = metadata(DISTRIBUTION).get_all("Project-URL") or []
    except PackageNotFoundError:
        urls = []
    for entry in urls:
        label, _, url = str(entry).partition(",")
        if label.strip() == "Documentation" and url.strip():
            # (a folder's `tree/` address; a file's page is under `blob/`)
            return url.strip().rstrip("/").replace("/tree/", "/blob/", 1)
    return PUBLISHED_DOCS


@cache
def diagnostic_code_link(code: str) -> str:
    """The address of the code's section in diagnostics.md (`…/diagnostics.md#wct010`)."""
    return f"{docs_url()}/diagnostics.md#{code.lower()}"

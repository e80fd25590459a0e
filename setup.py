"""The one build step pyproject.toml cannot say: the wheel carries the user docs (docs/)
as `waivern_lsp/docs/`, so the documentation links the language server gives with each
diagnostic code resolve in an installed package, not only in a checkout. docs/ stays the
one source; an editable install reads it where it is (`waivern_lsp.documentation`)."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DOCS = Path("docs")


class BuildWithDocs(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib, "waivern_lsp", "docs")
        for source in sorted(DOCS.rglob("*")):
            if source.is_file():
                destination = target / source.relative_to(DOCS)
                self.mkpath(str(destination.parent))
                self.copy_file(str(source), str(destination))


setup(cmdclass={"build_py": BuildWithDocs})

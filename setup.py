"""The one build step pyproject.toml cannot say: the wheel carries the user docs (docs/)
as `waivern_lsp/docs/`, to be read where there is no network (the language server's
links point at the published docs: `waivern_lsp.documentation`). docs/ stays the one
source."""

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

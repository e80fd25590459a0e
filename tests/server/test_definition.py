"""Go to definition through the real server: into a child runbook read through the
workspace, as links (the target's whole block, the name under the cursor underlined) or
as plain locations for clients without link support. Where each name leads is tested
in-process (tests/language/test_definitions.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from lsprotocol import types

from lsp_support import LspSession, at, one_client
from navigation_support import CHILD, PARENT, session_without, spots


async def definition(
    session: LspSession, runbook: str
) -> types.Location | list[types.Location] | list[types.LocationLink] | None:
    """What definition answers from the cursor in `runbook.yaml` (opened, or replaced)."""
    opened = [d for d in session.documents.values() if d.path.name == "runbook.yaml"]
    if opened:
        document = session.replace(opened[0], runbook)
    else:
        document = session.open("runbook.yaml", runbook)
    return await session.client.text_document_definition_async(
        types.DefinitionParams(text_document=document.id, position=document.at())
    )


@one_client
async def test_child_runbook_fields_lead_into_the_child_as_links(lsp: LspSession) -> None:
    lsp.write("child.yaml", CHILD)
    # an input_mapping key: the input the child declares
    found = await definition(lsp, at(PARENT, "documents: files", 4))
    assert isinstance(found, list) and all(isinstance(link, types.LocationLink) for link in found)
    assert spots(lsp, found) == [("child.yaml", 3, "documents")]
    (link,) = found
    assert isinstance(link, types.LocationLink) and link.origin_selection_range is not None
    assert link.origin_selection_range.start == types.Position(line=13, character=8)
    # the child's output: its declaration; the path: the child file itself
    assert spots(lsp, await definition(lsp, at(PARENT, "output: findings", 10))) == [
        ("child.yaml", 6, "findings")
    ]
    (name, line, _text), *more = spots(lsp, await definition(lsp, at(PARENT, "child.yaml", 2)))
    assert (name, line, more) == ("child.yaml", 0, [])
    # an artifact: its whole block is the target
    found = await definition(lsp, at(PARENT, "inputs: files", 10))
    assert isinstance(found, list)
    (link,) = found
    assert isinstance(link, types.LocationLink)
    assert (link.target_range.start.line, link.target_range.end.line) == (3, 7)
    # a field key: nothing
    assert await definition(lsp, at(PARENT, "source:", 2)) is None


def no_links(capabilities: types.ClientCapabilities) -> None:
    assert capabilities.text_document and capabilities.text_document.definition
    capabilities.text_document.definition.link_support = False


@pytest_asyncio.fixture
async def plain_client(tmp_path: Path) -> AsyncIterator[LspSession]:
    async with session_without(tmp_path, "visual_studio_code", no_links) as session:
        yield session


async def test_clients_without_link_support_get_locations(plain_client: LspSession) -> None:
    plain_client.write("child.yaml", CHILD)
    found = await definition(plain_client, at(PARENT, "documents: files", 4))
    assert isinstance(found, list) and all(isinstance(item, types.Location) for item in found)
    assert spots(plain_client, found) == [("child.yaml", 3, "documents")]

"""Go to definition: from an artifact id to its declaration, from an alias to the child
runbook's artifact behind it, from `child_runbook` fields into the child runbook."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from lsprotocol import types as lsp

from lsp_support import LspSession
from navigation_support import session_without, spots


async def definition(lsp_session: LspSession, runbook: str) -> list[tuple[str, int, str]]:
    """Where definition leads from the cursor in `runbook.yaml` (opened, or replaced)."""
    opened = [d for d in lsp_session.documents.values() if d.path.name == "runbook.yaml"]
    if opened:
        document = lsp_session.replace(opened[0], runbook)
    else:
        document = lsp_session.open("runbook.yaml", runbook)
    found = await lsp_session.client.text_document_definition_async(
        lsp.DefinitionParams(text_document=document.id, position=document.at())
    )
    return spots(lsp_session, found)


async def test_an_input_goes_to_the_artifact_it_names(lsp: LspSession) -> None:
    runbook = """\
    name: Scan
    description: Finds personal data
    artifacts:
      files:
        source:
          type: filesystem
          properties:
            path: data
      findings:
        inputs: [fi<|>les]
        process:
          type: personal_data
        output: true
    """
    assert await definition(lsp, runbook) == [("runbook.yaml", 3, "files")]


async def test_a_runbook_output_goes_to_its_artifact(lsp: LspSession) -> None:
    child = """\
    name: Child
    description: Analyses documents
    inputs:
      documents:
        input_schema: standard_input/1.0.0
    outputs:
      findings:
        artifact: fo<|>und
    artifacts:
      found:
        inputs: docu<|>ments
        process:
          type: personal_data
    """
    assert await definition(lsp, child.replace("docu<|>", "docu")) == [("runbook.yaml", 9, "found")]
    # a declared input used like an artifact goes to its declaration
    assert await definition(lsp, child.replace("fo<|>", "fo")) == [("runbook.yaml", 3, "documents")]
    # the output's own name goes to the artifact it offers
    assert await definition(
        lsp,
        child.replace("fo<|>", "fo")
        .replace("docu<|>", "docu")
        .replace("  findings:", "  find<|>ings:"),
    ) == [("runbook.yaml", 9, "found")]


CHILD = """\
name: Child
description: Analyses documents
inputs:
  documents:
    input_schema: standard_input/1.0.0
outputs:
  findings:
    artifact: strict_findings
artifacts:
  strict_findings:
    inputs: documents
    process:
      type: personal_data
"""

PARENT = """\
name: Parent
description: Uses a child runbook
config:
  template_paths: [templates]
artifacts:
  files:
    source:
      type: filesystem
      properties:
        path: data
  analysis:
    inputs: files
    child_runbook:
      path: pd_an<|1>alysis.yaml
      input_mapping:
        docu<|2>ments: files
      output_mapping:
        find<|3>ings: database_fi<|4>ndings
  summary:
    inputs: database_fin<|5>dings
    process:
      type: findings_summary
    output: true
"""


def at(marker: str) -> str:
    """The parent runbook with only the given cursor marker."""
    text = PARENT
    for number in range(1, 6):
        text = text.replace(f"<|{number}>", "<|>" if f"<|{number}>" == marker else "")
    return text


async def test_child_runbook_fields_lead_into_the_child(lsp: LspSession) -> None:
    lsp.write("templates/pd_analysis.yaml", CHILD)
    # the path: the child file itself
    (name, line, _text), *more = await definition(lsp, at("<|1>"))
    assert (name, line, more) == ("templates/pd_analysis.yaml", 0, [])
    # an input_mapping key: the input the child declares
    assert await definition(lsp, at("<|2>")) == [("templates/pd_analysis.yaml", 3, "documents")]
    # an output_mapping key: the output the child declares
    assert await definition(lsp, at("<|3>")) == [("templates/pd_analysis.yaml", 6, "findings")]


async def test_an_alias_goes_to_output_mapping_and_from_there_into_the_child(
    lsp: LspSession,
) -> None:
    lsp.write("templates/pd_analysis.yaml", CHILD)
    # a use of the alias: where output_mapping makes the name
    assert await definition(lsp, at("<|5>")) == [("runbook.yaml", 17, "database_findings")]
    # the alias itself: the child's artifact behind it
    assert await definition(lsp, at("<|4>")) == [
        ("templates/pd_analysis.yaml", 9, "strict_findings")
    ]


async def test_nothing_to_go_to_on_a_field_key(lsp: LspSession) -> None:
    runbook = """\
    name: Scan
    description: Finds personal data
    artifacts:
      files:
        sou<|>rce:
          type: filesystem
          properties:
            path: data
        output: true
    """
    assert await definition(lsp, runbook) == []


def no_links(capabilities: lsp.ClientCapabilities) -> None:
    assert capabilities.text_document and capabilities.text_document.definition
    capabilities.text_document.definition.link_support = False


@pytest_asyncio.fixture
async def plain_client(tmp_path: Path) -> AsyncIterator[LspSession]:
    async with session_without(tmp_path, "visual_studio_code", no_links) as session:
        yield session


async def test_clients_without_link_support_get_locations(plain_client: LspSession) -> None:
    document = plain_client.open(
        "runbook.yaml",
        """\
        name: Scan
        description: Finds personal data
        artifacts:
          files:
            source:
              type: filesystem
              properties:
                path: data
          findings:
            inputs: fi<|>les
            process:
              type: personal_data
            output: true
        """,
    )
    found = await plain_client.client.text_document_definition_async(
        lsp.DefinitionParams(text_document=document.id, position=document.at())
    )
    assert isinstance(found, list) and all(isinstance(item, lsp.Location) for item in found)
    assert spots(plain_client, found) == [("runbook.yaml", 3, "files")]

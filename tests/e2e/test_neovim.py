"""Neovim drives the language server as a user's editor does.

A headless Neovim loads the documented configuration (docs/editors/neovim/waivern.lua),
opens the customer_scan example with a planted unknown input, and records what the user
would see: the diagnostics, a hover on an artifact id, completion in an `inputs:` list;
and runs the simple_files example with `waivern.run`, then sees its status on hover.
A Lua driver writes the results as JSON; the assertions are here.

`make test` installs Neovim (Debian `neovim`, 0.7.2); under CI a missing `nvim` fails.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from runbook_samples import untidy

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "docs" / "editors" / "neovim" / "waivern.lua"
PAGE = REPO / "docs" / "editors" / "neovim.md"
EXAMPLE = REPO / "examples" / "customer_scan"
WCT = Path(sys.executable).parent / "wct"
TIMEOUT = 90  # seconds for one Neovim session; a healthy one takes about a second

# The driver: loads the documented config as a user's init.lua would, does the user's
# steps, writes what it saw to params.output and always quits (a Lua error under
# --headless would otherwise leave Neovim running).
DRIVER = r"""
local params = vim.fn.json_decode(table.concat(vim.fn.readfile(vim.env.WAIVERN_NVIM_PARAMS), '\n'))
local result = { messages = {}, problems = {} }

local function finish(code)
  vim.fn.writefile({ vim.fn.json_encode(result) }, params.output)
  if code == 0 then vim.cmd('qall!') else vim.cmd('cquit ' .. code) end
end

-- window/showMessage: recorded, then shown as Neovim does by default
local show_message = vim.lsp.handlers['window/showMessage']
vim.lsp.handlers['window/showMessage'] = function(err, res, ctx, config)
  table.insert(result.messages, { type = res.type, message = res.message })
  return show_message(err, res, ctx, config)
end

-- the documented configuration, as a user's init.lua loads it
package.path = params.config_dir .. '/?.lua;' .. package.path
require('waivern').setup({ cmd = params.cmd, init_options = params.init_options })

local function wait_for(what, ms, predicate)
  if not vim.wait(ms, predicate, 20) then error('timed out waiting for ' .. what) end
end

local function diagnostics(buf)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(out, { lnum = d.lnum, col = d.col, code = d.code, severity = d.severity,
                        message = d.message, source = d.source })
  end
  return out
end

local function has_diagnostic(buf, code, lnum)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == code and d.lnum == lnum then return true end
  end
  return false
end

local function text_of(contents)  -- hover contents (MarkupContent, MarkedString[s]) as text
  if type(contents) == 'string' then return contents end
  if type(contents) ~= 'table' then return '' end
  if contents.value then return contents.value end
  local parts = {}
  for _, part in ipairs(contents) do table.insert(parts, text_of(part)) end
  return table.concat(parts, '\n')
end

-- one request as the keymaps make it; the answer of the waivern client, or a problem
local function request(buf, method, position, what)
  local _, client = next(vim.lsp.buf_get_clients(buf))
  if not client.supports_method(method) then
    table.insert(result.problems, what .. ': the server does not offer ' .. method)
    return nil
  end
  local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = position }
  local responses, err = vim.lsp.buf_request_sync(buf, method, params, 10000)
  if responses == nil then
    table.insert(result.problems, what .. ': ' .. tostring(err))
    return nil
  end
  for _, response in pairs(responses) do
    if response.err or response.error then
      table.insert(result.problems, what .. ': ' .. vim.inspect(response.err or response.error))
    end
    return response.result
  end
  table.insert(result.problems, what .. ': no client answered')
  return nil
end

-- A parent runbook and its child, opened in the order given: which client each buffer got,
-- and whether an edit of the child (not saved) reaches the parent's diagnostics.
local function family(f)
  local bufs = {}
  for _, path in ipairs(f.open) do
    vim.cmd('edit ' .. vim.fn.fnameescape(path))
    local buf = vim.api.nvim_get_current_buf()
    bufs[path] = buf
    wait_for('the waivern client to attach to ' .. path, 10000, function()
      return next(vim.lsp.buf_get_clients(buf)) ~= nil
    end)
  end
  result.family = { roots = {}, clients = {} }
  for path, buf in pairs(bufs) do
    local id, client = next(vim.lsp.buf_get_clients(buf))
    result.family.clients[path] = id
    result.family.roots[path] = client.config.root_dir
  end
  result.family.servers = #vim.lsp.get_active_clients()
  local parent, child = bufs[f.parent], bufs[f.child]
  vim.api.nvim_buf_set_lines(child, f.edit.line, f.edit.line + 1, false, { f.edit.text })
  result.family.parent_updated = vim.wait(20000, function()
    return has_diagnostic(parent, f.expect.code, f.expect.lnum)
  end, 20)
  result.family.parent_diagnostics = diagnostics(parent)
  for _, client in ipairs(vim.lsp.get_active_clients()) do
    vim.lsp.stop_client(client.id)
  end
  result.stopped = vim.wait(5000, function() return #vim.lsp.get_active_clients() == 0 end, 20)
end

local function main()
  if params.family then
    return family(params.family)
  end
  vim.cmd('edit ' .. vim.fn.fnameescape(params.runbook))
  local buf = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[buf].filetype

  if params.other_yaml then  -- a YAML file that is no runbook gets no client
    vim.cmd('edit ' .. vim.fn.fnameescape(params.other_yaml))
    result.other_yaml_clients = #vim.tbl_keys(vim.lsp.buf_get_clients(0))
    vim.cmd('buffer ' .. buf)
  end

  wait_for('the waivern client to attach', 10000, function()
    return next(vim.lsp.buf_get_clients(buf)) ~= nil
  end)
  local id, client = next(vim.lsp.buf_get_clients(buf))
  result.client = { name = client.name, root_dir = client.config.root_dir }
  result.omnifunc = vim.bo[buf].omnifunc

  if params.expect_message then
    wait_for('a window/showMessage', 10000, function() return #result.messages > 0 end)
  end

  if params.diagnostic then
    local d = params.diagnostic
    wait_for(d.code .. ' on line ' .. d.lnum, 20000, function()
      return has_diagnostic(buf, d.code, d.lnum)
    end)
    result.diagnostics = diagnostics(buf)
  end

  if params.run then  -- `waivern.run` as a user's keymap sends it, then the outcome
    local answer = nil
    local responses, err = vim.lsp.buf_request_sync(buf, 'workspace/executeCommand', {
      command = 'waivern.run', arguments = { vim.uri_from_bufnr(buf) } }, 20000)
    for _, response in pairs(responses or {}) do
      if response.err then table.insert(result.problems, 'run: ' .. vim.inspect(response.err)) end
      answer = response.result
    end
    if responses == nil then table.insert(result.problems, 'run: ' .. tostring(err)) end
    result.run = answer or vim.NIL
    wait_for('the outcome of the run', 60000, function()
      for _, m in ipairs(result.messages) do
        if m.message:find('^run ') then return true end
      end
      return false
    end)
  end

  if params.hover then
    local hover = request(buf, 'textDocument/hover', params.hover, 'hover')
    result.hover = hover and text_of(hover.contents) or vim.NIL
  end

  if params.hover and params.definition then  -- gd on the same id
    local answer = request(buf, 'textDocument/definition', params.hover, 'definition')
    if answer and (answer.uri or answer.targetUri) then answer = { answer } end
    result.definition = {}
    for _, location in ipairs(answer or {}) do
      local range = location.targetSelectionRange or location.range
      table.insert(result.definition, { uri = location.uri or location.targetUri,
                                        line = range.start.line })
    end
  end

  if params.completion then
    local c = params.completion
    -- the user types a new list item; the edit reaches the server as didChange
    vim.api.nvim_buf_set_lines(buf, c.line, c.line, false, { c.text })
    local answer = request(buf, 'textDocument/completion',
                           { line = c.line, character = #c.text }, 'completion')
    result.completion = {}
    for _, item in ipairs(answer and (answer.items or answer) or {}) do
      table.insert(result.completion, {
        label = item.label,
        insertText = item.insertText,
        newText = item.textEdit and item.textEdit.newText or nil,
      })
    end
    -- and the server analyses the edited text: the partial id is unknown, for now
    result.edited_diagnostic = vim.wait(10000, function()
      return has_diagnostic(buf, 'WCT010', c.line)
    end, 20)
  end

  if params.format then  -- Format Document as docs/editors/neovim.md shows it
    if vim.lsp.buf.format then
      vim.lsp.buf.format({ bufnr = buf, name = 'waivern', timeout_ms = 10000 })
    else  -- Neovim 0.7
      vim.lsp.buf.formatting_sync(nil, 10000)
    end
    result.formatted = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  end

  vim.lsp.stop_client(id)
  result.stopped = vim.wait(5000, function() return vim.lsp.get_client_by_id(id) == nil end, 20)
end

vim.schedule(function()
  local ok, err = xpcall(main, debug.traceback)
  if not ok then
    result.error = err
    finish(1)
  else
    finish(0)
  end
end)
"""


@dataclass
class Session:
    """What one Neovim session recorded, with its output for failure messages."""

    result: dict[str, Any]
    transcript: str

    def __getitem__(self, key: str) -> Any:
        return self.result[key]


@pytest.fixture
def nvim() -> str:
    path = shutil.which("nvim")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("nvim is missing: `make test` installs it (Debian package `neovim`)")
        pytest.skip("nvim is not installed (Debian: apt-get install neovim)")
    return path


@pytest.fixture
def customer_scan(tmp_path: Path) -> Path:
    """A copy of examples/customer_scan (without its built database or run store)."""
    folder = tmp_path / "customer_scan"
    shutil.copytree(
        EXAMPLE, folder, ignore=shutil.ignore_patterns(".waivern", "*.db", "__pycache__")
    )
    return folder


RunNeovim = Callable[..., Session]


@pytest.fixture
def run_neovim(nvim: str, tmp_path: Path) -> RunNeovim:
    """`run_neovim(workspace, runbook, **params)`: one headless Neovim session with
    XDG folders of its own, under a timeout; the driver's results."""

    def run(workspace: Path, runbook: Path, **params: Any) -> Session:
        home = tmp_path / "nvim"
        env = {**os.environ, "HOME": str(home)}
        for name in ("CONFIG", "DATA", "STATE", "CACHE"):
            (home / name.lower()).mkdir(parents=True, exist_ok=True)
            env[f"XDG_{name}_HOME"] = str(home / name.lower())
        env.pop("WCT_STORE", None)
        output = tmp_path / "nvim-result.json"
        output.unlink(missing_ok=True)
        settings = {
            "config_dir": str(CONFIG.parent),
            "cmd": [str(WCT), "lsp"],
            "runbook": str(runbook),
            "output": str(output),
            **params,
        }
        (home / "params.json").write_text(json.dumps(settings), encoding="utf-8")
        env["WAIVERN_NVIM_PARAMS"] = str(home / "params.json")
        init = home / "init.lua"
        init.write_text(DRIVER, encoding="utf-8")

        process = subprocess.Popen(
            [nvim, "--headless", "-n", "-i", "NONE", "-u", str(init)],
            cwd=workspace,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # the server is Neovim's child: one group to kill
        )
        try:
            out, _ = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, _ = process.communicate()
        log = home / "cache" / "nvim" / "lsp.log"
        transcript = (
            f"nvim exit status {process.returncode}\n--- output ---\n{out}\n"
            f"--- lsp.log ---\n{log.read_text(errors='replace')[-6000:] if log.exists() else ''}"
        )
        assert output.exists(), transcript
        result = json.loads(output.read_text(encoding="utf-8"))
        assert "error" not in result, f"{result['error']}\n{transcript}"
        assert process.returncode == 0, transcript
        return Session(result, transcript)

    return run


def position(text: str, line_text: str, word: str) -> dict[str, int]:
    """The LSP position of `word` within the first line that is `line_text` (stripped)."""
    lines = text.splitlines()
    line = next(index for index, entry in enumerate(lines) if entry.strip() == line_text)
    return {"line": line, "character": lines[line].index(word)}


def test_neovim_shows_diagnostics_hover_and_completion(
    run_neovim: RunNeovim, customer_scan: Path
) -> None:
    runbook = customer_scan / "runbook.yaml"
    text = runbook.read_text(encoding="utf-8")
    # the planted mistake: summary's second input loses its final letter
    assert "      - database_strict_findings\n    merge" in text
    text = text.replace(
        "      - database_strict_findings\n    merge", "      - database_strict_finding\n    merge"
    )
    runbook.write_text(text, encoding="utf-8")
    typo = position(text, "- database_strict_finding", "database_strict_finding")
    hover = position(text, "inputs: customer_db", "customer_db")
    hover["character"] += 3  # inside the id, as a user's cursor would be
    summary_inputs = max(  # the `inputs:` line of the list with the typo
        index
        for index, line in enumerate(text.splitlines()[: typo["line"]])
        if line == "    inputs:"
    )
    (customer_scan / "notes.yaml").write_text("artifact_ids:\n  - customer_db\n")

    session = run_neovim(
        customer_scan,
        runbook,
        init_options={"store": str(customer_scan / ".runs"), "debounceMs": 0},
        other_yaml=str(customer_scan / "notes.yaml"),
        diagnostic={"code": "WCT010", "lnum": typo["line"]},
        hover=hover,
        definition=True,
        completion={"line": summary_inputs + 1, "text": "      - cust"},
    )

    assert session["filetype"] == "yaml"
    assert session["omnifunc"] == "v:lua.vim.lsp.omnifunc", session.transcript
    assert session["client"] == {"name": "waivern", "root_dir": str(customer_scan)}
    assert session["other_yaml_clients"] == 0, "a YAML file without artifacts got the server"

    unknown = [d for d in session["diagnostics"] if d["code"] == "WCT010"]
    assert [(d["lnum"], d["col"]) for d in unknown] == [(typo["line"], typo["character"])]
    assert "database_strict_findings" in unknown[0]["message"]  # the closest id is offered
    assert session["problems"] == [], f"{session['problems']}\n{session.transcript}"

    assert session["hover"], f"no hover on customer_db\n{session.transcript}"
    assert "customer_db" in session["hover"]
    assert "customer database" in session["hover"].lower()

    defined = text.splitlines().index("  customer_db:")
    assert session["definition"] == [{"uri": runbook.as_uri(), "line": defined}]

    offered = {text for item in session["completion"] for text in item.values() if text is not None}
    assert "customer_files" in offered, session["completion"]
    assert session["edited_diagnostic"], "the edit did not reach the server"
    assert session["stopped"], "the server did not shut down when Neovim stopped it"


def test_neovim_runs_a_runbook_and_hover_shows_the_outcome(
    run_neovim: RunNeovim, tmp_path: Path
) -> None:
    workspace = tmp_path / "simple_files"
    shutil.copytree(REPO / "examples" / "simple_files", workspace)
    runbook = workspace / "runbook.yaml"
    text = runbook.read_text(encoding="utf-8")

    session = run_neovim(
        workspace,
        runbook,
        init_options={"store": str(workspace / ".runs")},
        run=True,
        hover=position(text, "findings:", "findings"),
    )

    assert session["problems"] == [], f"{session['problems']}\n{session.transcript}"
    run_id = session["run"]["run_id"]
    outcomes = [m["message"] for m in session["messages"] if m["message"].startswith("run ")]
    assert outcomes == [f"run {run_id} of Simple file scan: completed"], session.transcript
    assert "completed" in session["hover"], session["hover"]
    assert run_id in session["hover"]


def test_neovim_formats_a_runbook(run_neovim: RunNeovim, tmp_path: Path) -> None:
    """Format Document in Neovim: the server's edits applied to the buffer give the
    formatter's text (known keys in order, two spaces a level, comments kept)."""
    workspace = tmp_path / "simple_files"
    shutil.copytree(REPO / "examples" / "simple_files", workspace)
    runbook = workspace / "runbook.yaml"
    formatted = runbook.read_text(encoding="utf-8")
    runbook.write_text(untidy(formatted), encoding="utf-8")

    session = run_neovim(
        workspace, runbook, init_options={"store": str(workspace / ".runs")}, format=True
    )

    assert session["problems"] == [], f"{session['problems']}\n{session.transcript}"
    assert session["formatted"] == formatted.splitlines(), session.transcript


def test_neovim_reports_a_bad_option(run_neovim: RunNeovim, customer_scan: Path) -> None:
    session = run_neovim(
        customer_scan,
        customer_scan / "runbook.yaml",
        init_options={"debounceMs": "soon"},
        expect_message=True,
    )

    assert [message["message"] for message in session["messages"]] == [
        "Waivern: option `debounceMs`: expected milliseconds (a number), got the string "
        "'soon'; the default is used"
    ]
    assert session["stopped"]


@pytest.mark.parametrize("first", ["child", "parent"])
def test_a_child_template_and_its_parent_share_one_server_without_markers(
    run_neovim: RunNeovim, customer_scan: Path, first: str
) -> None:
    """No `.git` or `.waivern` above the runbooks: the parent runbook and its template
    (templates/pd_analysis.yaml), opened in either order, get one server rooted at the
    parent's folder, and an edit of the child reaches the parent's diagnostics."""
    assert not any((folder / ".git").exists() for folder in customer_scan.parents)
    parent = customer_scan / "runbook.yaml"
    child = customer_scan / "templates" / "pd_analysis.yaml"
    child_lines = child.read_text(encoding="utf-8").splitlines()
    renamed = child_lines.index("  findings:")  # the child's output the parent uses
    uses = parent.read_text(encoding="utf-8").splitlines().index("      output: findings")
    order = [child, parent] if first == "child" else [parent, child]

    session = run_neovim(
        customer_scan,
        order[0],
        init_options={"store": str(customer_scan / ".runs")},
        family={
            "open": [str(path) for path in order],
            "parent": str(parent),
            "child": str(child),
            "edit": {"line": renamed, "text": "  found:"},
            "expect": {"code": "WCT045", "lnum": uses},
        },
    )

    family = session["family"]
    assert family["roots"] == {str(parent): str(customer_scan), str(child): str(customer_scan)}
    assert family["servers"] == 1, session.transcript
    assert len(set(family["clients"].values())) == 1
    assert family["parent_updated"], f"{family['parent_diagnostics']}\n{session.transcript}"
    assert session["stopped"]


def test_the_page_shows_the_tested_config() -> None:
    page = PAGE.read_text(encoding="utf-8")
    marker = "<!-- the contents of docs/editors/neovim/waivern.lua"
    after = page[page.index(marker) :]
    block = after[after.index("```lua\n") + len("```lua\n") :]
    assert block[: block.index("```\n")] == CONFIG.read_text(encoding="utf-8")

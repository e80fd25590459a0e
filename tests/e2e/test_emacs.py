"""Emacs (Eglot) drives the language server as a user's editor does.

A batch Emacs loads the documented configuration (the `elisp` block of
docs/editors/emacs.md), opens the customer_scan example with a planted unknown input and
records what the user would see: Flymake's diagnostics, the hover ElDoc shows, where
`M-.` goes, what `C-M-i` runs and completes; and runs the simple_files example from
`eglot-code-actions`, then sees its status on hover. An Emacs Lisp driver writes the
results as JSON; the assertions are here.

`make test` installs Emacs (Debian `emacs-nox elpa-eglot elpa-yaml-mode`); under CI a
missing `emacs` fails.
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
PAGE = REPO / "docs" / "editors" / "emacs.md"
MARKER = "<!-- the configuration tests/e2e/test_emacs.py loads into a real Emacs -->"
EXAMPLES = REPO / "examples"
WCT = Path(sys.executable).parent / "wct"
ELPA = Path("/usr/share/emacs/site-lisp/elpa")  # where Debian's elpa-* packages live
TIMEOUT = 90  # seconds for one Emacs session; a healthy one takes a few

# The driver: Debian's packages activated as a normal (not -Q) start would, the
# documented configuration loaded as a user's init.el, the user's steps; what it saw goes
# to the output file, and it always exits (an error is recorded, then exit 1).
DRIVER = r"""
(require 'json)
(require 'cl-lib)
(setq package-directory-list (list (getenv "WAIVERN_ELPA")))
(package-initialize)

(defvar waivern-params
  (let ((json-object-type 'alist) (json-array-type 'list) (json-key-type 'symbol))
    (json-read-file (getenv "WAIVERN_EMACS_PARAMS"))))
(defvar waivern-result nil)
(defun waivern-param (key) (alist-get key waivern-params))
(defun waivern-record (key value) (push (cons key value) waivern-result))

(defun waivern-finish (code)
  (with-temp-file (waivern-param 'output)
    (insert (let ((json-encoding-pretty-print nil)) (json-encode waivern-result))))
  (kill-emacs code))

(defun waivern-wait (what seconds predicate)
  (let ((deadline (+ (float-time) seconds)))
    (while (not (funcall predicate))
      (when (> (float-time) deadline) (error "timed out waiting for %s" what))
      (accept-process-output nil 0.05))))

(defun waivern-goto (position)  ; an LSP position (0-based line and column)
  (goto-char (point-min))
  (forward-line (alist-get 'line position))
  (move-to-column (alist-get 'character position)))

(defun waivern-diagnostics ()
  (mapcar (lambda (d)
            (let ((lsp (cdr (assoc 'eglot-lsp-diag (eglot--diag-data d)))))
              `((line . ,(1- (line-number-at-pos (flymake-diagnostic-beg d))))
                (code . ,(plist-get lsp :code))
                (text . ,(flymake-diagnostic-text d)))))
          (flymake-diagnostics)))

(defun waivern-has-diagnostic (code line)
  (flymake-start)  ; (Flymake asks Eglot's backend on commands, which batch Emacs has none of)
  (cl-some (lambda (d) (and (equal (alist-get 'code d) code) (= (alist-get 'line d) line)))
           (waivern-diagnostics)))

(defun waivern-hover ()
  (let ((answer (jsonrpc-request (eglot-current-server) :textDocument/hover
                                 (eglot--TextDocumentPositionParams))))
    (and answer (eglot--hover-info (plist-get answer :contents)))))

(defun waivern-main ()
  (load (waivern-param 'config) nil t)
  (find-file (waivern-param 'runbook))
  (waivern-record 'mode (symbol-name major-mode))
  ;; eglot-ensure connects on the next command; batch Emacs runs none: run the hook.
  (run-hooks 'post-command-hook)
  (waivern-wait "Eglot to connect" 20 (lambda () (eglot-current-server)))
  (waivern-record 'managed (and eglot--managed-mode t))
  (waivern-record 'server (process-command (jsonrpc--process (eglot-current-server))))
  (waivern-record 'complete_key (symbol-name (key-binding (kbd "C-M-i"))))

  (let ((d (waivern-param 'diagnostic)))
    (when d
      (waivern-wait (format "%s on line %s" (alist-get 'code d) (alist-get 'line d)) 20
                    (lambda () (waivern-has-diagnostic (alist-get 'code d) (alist-get 'line d))))
      (waivern-record 'diagnostics (waivern-diagnostics))))

  (when (waivern-param 'run)  ; M-x eglot-code-actions, then the user picks the run
    (cl-letf (((symbol-function 'completing-read)
               (lambda (_prompt items &rest _)
                 (waivern-record 'actions (mapcar #'car items))
                 "Run the runbook")))
      (let ((last-nonmenu-event ?\r))
        (call-interactively #'eglot-code-actions)))
    (waivern-wait "the outcome of the run" 60
                  (lambda ()
                    (with-current-buffer "*Messages*"
                      (save-excursion
                        (goto-char (point-min))
                        (re-search-forward "Server reports (type=[0-9]): \\(run .*\\)$" nil t)))))
    (with-current-buffer "*Messages*"
      (goto-char (point-min))
      (re-search-forward "Server reports (type=[0-9]): \\(run .*\\)$")
      (waivern-record 'outcome (match-string 1))))

  (let ((hover (waivern-param 'hover)))
    (when hover
      (waivern-goto hover)
      (waivern-record 'hover (waivern-hover))
      (when (waivern-param 'definition)  ; M-. on the same id
        (let ((found (xref-backend-definitions 'eglot (xref-backend-identifier-at-point 'eglot))))
          (waivern-record 'definition
                          (mapcar (lambda (item)
                                    (let ((location (xref-item-location item)))
                                      `((file . ,(xref-location-group location))
                                        (line . ,(1- (xref-location-line location))))))
                                  found))))))

  (let ((c (waivern-param 'completion)))
    (when c  ; the user types a new list item, then C-M-i
      (goto-char (point-min))
      (forward-line (alist-get 'line c))
      (insert (alist-get 'text c) "\n")
      (forward-line -1)
      (end-of-line)
      (let* ((capf (run-hook-wrapped 'completion-at-point-functions
                                     (lambda (f) (and (functionp f) (funcall f)))))
             (table (nth 2 capf)))
        (waivern-record 'completion (and capf (all-completions "" table))))))

  (when (waivern-param 'format)  ; M-x eglot-format-buffer
    (eglot-format-buffer)
    (waivern-record 'formatted (buffer-substring-no-properties (point-min) (point-max))))

  (eglot-shutdown (eglot-current-server))
  (waivern-record 'stopped (null (eglot-current-server))))

(condition-case err
    (progn (waivern-main) (waivern-finish 0))
  (error (waivern-record 'error (error-message-string err))
         (waivern-finish 1)))
"""


@dataclass
class Session:
    """What one Emacs session recorded, with its output for failure messages."""

    result: dict[str, Any]
    transcript: str

    def __getitem__(self, key: str) -> Any:
        return self.result[key]


@pytest.fixture
def emacs() -> str:
    path = shutil.which("emacs")
    if path is None or not any(ELPA.glob("eglot-*")) or not any(ELPA.glob("yaml-mode-*")):
        message = (
            "emacs with eglot and yaml-mode is missing: `make test` installs them "
            "(Debian packages `emacs-nox elpa-eglot elpa-yaml-mode`)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def documented_config() -> str:
    page = PAGE.read_text(encoding="utf-8")
    after = page[page.index(MARKER) :]
    block = after[after.index("```elisp\n") + len("```elisp\n") :]
    return block[: block.index("```\n")]


RunEmacs = Callable[..., Session]


@pytest.fixture
def run_emacs(emacs: str, tmp_path: Path) -> RunEmacs:
    """`run_emacs(workspace, runbook, **params)`: one batch Emacs with a home of its own
    and `wct` on its PATH, under a timeout; the driver's results."""

    def run(workspace: Path, runbook: Path, **params: Any) -> Session:
        home = tmp_path / "emacs-home"
        home.mkdir(exist_ok=True)
        config = home / "init.el"
        config.write_text(documented_config(), encoding="utf-8")
        output = tmp_path / "emacs-result.json"
        output.unlink(missing_ok=True)
        settings = {"config": str(config), "runbook": str(runbook), "output": str(output)}
        (home / "params.json").write_text(json.dumps({**settings, **params}), encoding="utf-8")
        driver = home / "driver.el"
        driver.write_text(DRIVER, encoding="utf-8")
        env = {
            **os.environ,
            "HOME": str(home),
            "PATH": f"{WCT.parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "WAIVERN_ELPA": str(ELPA),
            "WAIVERN_EMACS_PARAMS": str(home / "params.json"),
        }
        env.pop("WCT_STORE", None)
        process = subprocess.Popen(
            [emacs, "--batch", "-Q", "-l", str(driver)],
            cwd=workspace,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # the server is Emacs's child: one group to kill
        )
        try:
            out, _ = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, _ = process.communicate()
        transcript = f"emacs exit status {process.returncode}\n--- output ---\n{out[-6000:]}"
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


def copy_example(name: str, tmp_path: Path) -> Path:
    folder = tmp_path / name
    shutil.copytree(
        EXAMPLES / name, folder, ignore=shutil.ignore_patterns(".waivern", "*.db", "__pycache__")
    )
    return folder


def test_emacs_shows_diagnostics_hover_definition_and_completion(
    run_emacs: RunEmacs, tmp_path: Path
) -> None:
    workspace = copy_example("customer_scan", tmp_path)
    runbook = workspace / "runbook.yaml"
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
    summary_inputs = max(
        index
        for index, line in enumerate(text.splitlines()[: typo["line"]])
        if line == "    inputs:"
    )

    session = run_emacs(
        workspace,
        runbook,
        diagnostic={"code": "WCT010", "line": typo["line"]},
        hover=hover,
        definition=True,
        completion={"line": summary_inputs + 1, "text": "      - cust"},
    )

    assert session["mode"] == "yaml-mode"
    assert session["managed"], session.transcript
    assert session["server"] == ["wct", "lsp"]
    assert session["complete_key"] == "completion-at-point"  # not ispell-complete-word

    unknown = [d for d in session["diagnostics"] if d["code"] == "WCT010"]
    assert [d["line"] for d in unknown] == [typo["line"]], session["diagnostics"]
    assert "database_strict_findings" in unknown[0]["text"]  # the closest id is offered

    assert session["hover"], f"no hover on customer_db\n{session.transcript}"
    assert "customer database" in session["hover"].lower()
    defined = text.splitlines().index("  customer_db:")
    assert session["definition"] == [{"file": str(runbook), "line": defined}]

    assert "customer_files" in session["completion"], session["completion"]
    assert session["stopped"]


def test_emacs_runs_a_runbook_from_its_code_actions(run_emacs: RunEmacs, tmp_path: Path) -> None:
    workspace = copy_example("simple_files", tmp_path)
    runbook = workspace / "runbook.yaml"
    text = runbook.read_text(encoding="utf-8")

    session = run_emacs(workspace, runbook, run=True, hover=position(text, "findings:", "findings"))

    assert "Run the runbook" in session["actions"]
    outcome = session["outcome"]
    assert outcome.startswith("run ") and outcome.endswith(" of Simple file scan: completed")
    run_id = outcome.split()[1]
    assert "completed" in session["hover"], session["hover"]
    assert run_id in session["hover"]
    assert (workspace / ".waivern" / "runs.db").exists()  # the workspace's own store


def test_emacs_formats_a_runbook(run_emacs: RunEmacs, tmp_path: Path) -> None:
    """M-x eglot-format-buffer: the server's edits applied to the buffer give the
    formatter's text (known keys in order, two spaces a level, comments kept)."""
    workspace = copy_example("simple_files", tmp_path)
    runbook = workspace / "runbook.yaml"
    formatted = runbook.read_text(encoding="utf-8")
    runbook.write_text(untidy(formatted), encoding="utf-8")

    session = run_emacs(workspace, runbook, format=True)

    assert session["formatted"] == formatted, session.transcript


def test_the_page_shows_the_four_lines_and_the_binding() -> None:
    lines = documented_config().splitlines()
    assert lines[:4] == [
        "(require 'eglot)",
        "(require 'yaml-mode)",
        '(add-to-list \'eglot-server-programs \'(yaml-mode . ("wct" "lsp")))',
        "(add-hook 'yaml-mode-hook #'eglot-ensure)",
    ]
    assert "completion-at-point" in lines[4]

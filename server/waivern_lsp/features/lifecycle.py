"""The session's life (`initialize`, `initialized`, `workspace/didChangeConfiguration`,
`shutdown`): the client's options and workspace folders, a message for each bad option,
file watching where the client can register it dynamically, and the analysis threads
stopped at the end."""

from __future__ import annotations

import asyncio
import logging

from lsprotocol import types as lsp

from waivern_lsp.conversions import uri_to_path
from waivern_lsp.options import parse_options
from waivern_lsp.server import WaivernServer

log = logging.getLogger(__name__)


def register(server: WaivernServer) -> None:
    @server.feature(lsp.INITIALIZE)
    def initialize(params: lsp.InitializeParams) -> None:
        server.options = parse_options(params.initialization_options)
        roots = [
            path
            for folder in params.workspace_folders or []
            if (path := uri_to_path(folder.uri)) is not None
        ]
        if not roots and params.root_uri and (root := uri_to_path(params.root_uri)):
            roots.append(root)
        server.runbooks.configure(server.options, roots)

    @server.feature(lsp.INITIALIZED)
    def initialized(params: lsp.InitializedParams) -> None:
        _report_problems(server)
        if server.supports("workspace.did_change_watched_files.dynamic_registration"):
            server.watch_files = asyncio.ensure_future(_watch_yaml_files(server))

    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def configuration_changed(params: lsp.DidChangeConfigurationParams) -> None:
        """Many clients send this once at start (eglot, Neovim, VS Code) with their own
        settings or none. Only a `waivern` object replaces the options (the same fields
        as `initializationOptions`); anything else leaves them as they are."""
        settings = params.settings
        section = settings.get("waivern") if isinstance(settings, dict) else None
        if section is None:
            return
        before = server.options
        server.options = parse_options(section)
        server.runbooks.configure(server.options, server.runbooks.roots)
        _report_problems(server)
        if server.options.max_diagnostics != before.max_diagnostics:
            server.runbooks.reanalyse_all()  # published again under the new cap

    @server.feature(lsp.SHUTDOWN)
    def shutdown(params: None) -> None:
        server.runbooks.shutdown()


def _report_problems(server: WaivernServer) -> None:
    for problem in server.options.problems:
        server.window_show_message(
            lsp.ShowMessageParams(type=lsp.MessageType.Warning, message=f"Waivern: {problem}")
        )


async def _watch_yaml_files(server: WaivernServer) -> None:
    """Ask the client to report YAML files created, changed or deleted on disk (child
    runbooks edited outside the editor, files a parent could not find yet), and `.env`
    files (the values of `${VAR}`)."""
    watchers = [
        lsp.FileSystemWatcher(glob_pattern=pattern)
        for pattern in ("**/*.yaml", "**/*.yml", "**/.env")
    ]
    try:
        await server.client_register_capability_async(
            lsp.RegistrationParams(
                registrations=[
                    lsp.Registration(
                        id="waivern-yaml-files",
                        method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=lsp.DidChangeWatchedFilesRegistrationOptions(
                            watchers=watchers
                        ),
                    )
                ]
            )
        )
    except Exception as error:  # the client refused: saves and open buffers still count
        log.warning("could not register file watching: %s", error)

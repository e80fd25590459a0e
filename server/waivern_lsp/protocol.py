"""The rules a message from the client must follow before pygls dispatches it: a JSON-RPC
2.0 object with a usable id and method, params of the shape the method's type asks for,
and the session's order (`initialize` first, nothing but `exit` after `shutdown`).

`WaivernProtocol.receive` takes each message the transport (`transport.py`) cut from the
wire and parsed as JSON. Every request with an id gets exactly one answer: pygls' result,
or an error from here (InvalidRequest, InvalidParams, ServerNotInitialized) without a
traceback. A notification that breaks a rule is dropped with one log line. `exit` stops
the session; `exit_code` is 0 only after a `shutdown` request, as the protocol says."""

from __future__ import annotations

import enum
import json
import logging
import re
from collections.abc import Generator, Sequence
from typing import Any, cast
from urllib.parse import unquote

import attrs
import cattrs
from cattrs.v import format_exception
from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.protocol import (
    JsonRPCNotification,
    JsonRPCRequestMessage,
    JsonRPCResponseMessage,
    LanguageServerProtocol,
)
from pygls.protocol.json_rpc import RPCMessage
from pygls.protocol.language_server import lsp_method

from waivern_lsp.text_changes import TextChanges

log = logging.getLogger(__name__)

MessageId = int | str
JSONRPC = "2.0"


class Phase(enum.Enum):
    """Where the session is, as far as the client's messages are concerned."""

    UNINITIALIZED = "before initialize"
    RUNNING = "running"
    SHUTTING_DOWN = "after shutdown"
    EXITED = "exited"


class WaivernProtocol(LanguageServerProtocol):
    """pygls' protocol (dispatch to the features, responses, requests to the client), fed
    by `receive` with the messages that pass the rules."""

    def __init__(self, server: LanguageServer, converter: cattrs.Converter) -> None:
        # set first: pygls' constructor reads every attribute, looking for its features
        self.phase = Phase.UNINITIALIZED
        self.shutdown_requested = False
        self.text_changes = TextChanges()
        super().__init__(server, converter)

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: lsp.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, None]:
        """pygls' own handler, with the changes applied in time proportional to the distance
        between them, not to the document's size (`text_changes`)."""
        document = self.workspace.text_documents[unquote(params.text_document.uri)]
        for change in params.content_changes:
            self.text_changes.apply(document, change)
        document.version = params.text_document.version
        if (handler := self.fm.features.get(lsp.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @property
    def exit_code(self) -> int:
        """0 when the client asked for `shutdown` before `exit` (or before hanging up)."""
        return 0 if self.shutdown_requested else 1

    # -- sending ----------------------------------------------------------------------

    def _send_data(self, data: Any) -> None:
        """pygls' writing of a message, except that an answer that cannot be serialized
        becomes an InternalError for its request instead of no answer at all."""
        if not data:
            return
        try:
            body = json.dumps(data, default=self._serialize_message)
        except Exception:
            log.exception("a message to the client could not be serialized")
            msg_id = getattr(data, "id", None)
            if msg_id is not None and (hasattr(data, "result") or hasattr(data, "error")):
                self.reply_error(msg_id, lsp.ErrorCodes.InternalError, "the answer failed")
            return
        self._write_body(body)

    def notify_serialized(self, method: str, params: Sequence[bytes]) -> None:
        """A notification whose params are JSON already, in UTF-8, in parts (the
        diagnostics, whose serialised forms are kept from one publish to the next)."""
        if self.writer is None:
            log.error("no transport to write to")
            return
        head = f'{{"jsonrpc": "{JSONRPC}", "method": {json.dumps(method)}, "params": '
        parts = [head.encode(), *params, b"}"]
        write_parts = getattr(self.writer, "write_parts", None)  # (`transport.FrameWriter`)
        if write_parts is not None:
            write_parts(parts)
            return
        body = b"".join(parts)
        self.writer.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    def _write_body(self, body: str) -> None:
        if self.writer is None:
            log.error("no transport to write to")
            return
        log.debug("sending %s", body)
        encoded = body.encode("utf-8")  # one frame, one write: `transport.FrameWriter`
        self.writer.write(b"Content-Length: %d\r\n\r\n%s" % (len(encoded), encoded))

    def reply_error(self, msg_id: MessageId | None, code: int, message: str) -> None:
        """An error response (written here: pygls' response type leaves out a null id,
        which JSON-RPC requires when the request's id could not be read)."""
        error = {"code": code, "message": message}
        self._send_data({"jsonrpc": JSONRPC, "id": msg_id, "error": error})

    # -- receiving --------------------------------------------------------------------

    def receive(self, message: object) -> None:
        """One message, as parsed from a frame's body."""
        if not isinstance(message, dict):
            batch = " (batches are not part of LSP)" if isinstance(message, list) else ""
            self._invalid(None, f"a message is a JSON object, not {_json_type(message)}{batch}")
            return
        raw_id = message.get("id")
        msg_id = raw_id if _is_id(raw_id) else None
        if "method" not in message and ("result" in message or "error" in message):
            self._response(msg_id, message)
            return
        if "id" in message and msg_id is None:
            self._invalid(None, f"`id` must be an integer or a string, not {_json_type(raw_id)}")
        elif message.get("jsonrpc") != JSONRPC:
            self._invalid(msg_id, '`jsonrpc` must be "2.0"')
        elif "method" not in message:
            self._invalid(msg_id, "no `method` (nor `result` or `error`, as a response has)")
        elif not isinstance(method := message["method"], str):
            self._invalid(msg_id, f"`method` must be a string, not {_json_type(method)}")
        elif msg_id is None:
            self._notification(method, message)
        else:
            self._request(msg_id, method, message)

    def _invalid(self, msg_id: MessageId | None, reason: str) -> None:
        # an answer with id null tells the client little: the log says it too
        log.log(logging.INFO if msg_id is not None else logging.WARNING, "invalid: %s", reason)
        self.reply_error(msg_id, lsp.ErrorCodes.InvalidRequest, f"Invalid request: {reason}")

    def _request(self, msg_id: MessageId, method: str, message: dict[str, Any]) -> None:
        refusal = self._refusal(method)
        if refusal is not None:
            code, reason = refusal
            log.info("%s (id %r) refused: %s", method, msg_id, reason)
            self.reply_error(msg_id, code, reason)
            return
        message_type = self.get_message_type(method)
        if message_type is not None and "id" not in attrs.fields_dict(message_type):
            self._invalid(msg_id, f"{method} is a notification: it is sent without an `id`")
            return
        fields = {"jsonrpc": JSONRPC, "id": msg_id, "method": method}
        try:
            request = self._structure(fields, message, message_type or JsonRPCRequestMessage)
        except Exception as error:
            reason = f"{method}: invalid params: {_why(error)}"
            log.info("%s (id %r) refused: %s", method, msg_id, reason)
            log.debug("%s (id %r): params not structured", method, msg_id, exc_info=True)
            self.reply_error(msg_id, lsp.ErrorCodes.InvalidParams, reason)
            return
        if method == lsp.INITIALIZE:
            self.phase = Phase.RUNNING
        elif method == lsp.SHUTDOWN:
            self.phase = Phase.SHUTTING_DOWN
            self.shutdown_requested = True
        self.handle_message(request)

    def _refusal(self, method: str) -> tuple[int, str] | None:
        """Why the session's phase refuses the request, with the error code to answer."""
        if method == lsp.INITIALIZE:
            if self.phase is not Phase.UNINITIALIZED:
                return lsp.ErrorCodes.InvalidRequest, "initialize: the server is initialized"
            return None
        if self.phase is Phase.UNINITIALIZED:
            return lsp.ErrorCodes.ServerNotInitialized, f"{method}: the server is not initialized"
        if self.phase is not Phase.RUNNING:
            return lsp.ErrorCodes.InvalidRequest, f"{method}: the server is shutting down"
        return None

    def _notification(self, method: str, message: dict[str, Any]) -> None:
        message_type = self.get_message_type(method)
        if message_type is not None and "id" in attrs.fields_dict(message_type):
            log.warning("%s dropped: it is a request, sent without an `id`", method)
            return
        if method == lsp.EXIT:
            self._exit(message.get("params"))
            return
        if self.phase is not Phase.RUNNING:
            log.warning("%s dropped: %s", method, self.phase.value)
            return
        fields = {"jsonrpc": JSONRPC, "method": method}
        try:
            notification = self._structure(fields, message, message_type or JsonRPCNotification)
        except Exception as error:
            log.warning("%s dropped: invalid params: %s", method, _why(error))
            log.debug("%s: params not structured", method, exc_info=True)
            return
        self.handle_message(notification)

    def _response(self, msg_id: MessageId | None, message: dict[str, Any]) -> None:
        if msg_id is None:  # JSON-RPC's answer to a message of ours it could not read
            log.warning("a response without an id dropped: %s", message.get("error"))
            return
        try:
            if "error" in message:
                error = self._converter.structure(message["error"], lsp.ResponseError)
                self._handle_response(msg_id, None, error)
                return
            fields = {"jsonrpc": JSONRPC, "id": msg_id, "result": message["result"]}
            result_type = self._result_types.pop(msg_id, None) or JsonRPCResponseMessage
            result = self._converter.structure(fields, result_type).result
        except Exception as error:
            # the request waiting for this answer fails rather than waiting forever
            log.warning("response %r: not understood: %s", msg_id, _why(error))
            malformed = lsp.ResponseError(
                code=lsp.ErrorCodes.InvalidRequest, message=f"malformed response: {_why(error)}"
            )
            self._handle_response(msg_id, None, malformed)
            return
        self._handle_response(msg_id, result)

    def _handle_response(
        self, msg_id: Any, result: Any | None = None, error: lsp.ResponseError | None = None
    ) -> None:
        # An answer the server no longer waits for (its request was cancelled, e.g. by
        # `shutdown`) is dropped: setting a cancelled future's result would raise.
        future = self._request_futures.get(msg_id)
        if future is not None and future.done():
            del self._request_futures[msg_id]
            log.debug("response %r: its request was cancelled; dropped", msg_id)
            return
        super()._handle_response(msg_id, result, error)

    def _structure(self, fields: dict[str, Any], message: dict[str, Any], into: type) -> RPCMessage:
        # Only the envelope's own fields: pygls' fallback types take no others.
        fields["params"] = message.get("params")
        return cast(RPCMessage, self._converter.structure(fields, into))

    def _exit(self, params: object) -> None:
        self.phase = Phase.EXITED
        handler = self.fm.features.get(lsp.EXIT)
        if handler is not None:
            try:
                handler(params)
            except Exception:
                log.exception("exit failed")


def _is_id(value: object) -> bool:
    return isinstance(value, (int, str)) and not isinstance(value, bool)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def _why(error: Exception) -> str:
    """A short account of why params did not fit, with paths in the protocol's names
    (`$.params.position.line: expected int`)."""
    if isinstance(error, cattrs.BaseValidationError):
        reasons = cattrs.transform_error(error, format_exception=_described)
    else:
        reasons = [str(error) or type(error).__name__]
    shown = [_camel_path(reason) for reason in reasons[:3]]
    more = f" (and {len(reasons) - 3} more)" if len(reasons) > 3 else ""
    return "; ".join(shown) + more


def _described(error: BaseException, into: type | None) -> str:
    if into is None and isinstance(error, ValueError):
        return str(error)  # a check of lsprotocol's: `Position.line should be in range …`
    return format_exception(error, into)


def _camel_path(reason: str) -> str:
    problem, at, path = reason.rpartition(" @ ")
    if not at:
        return reason
    return f"{re.sub(r'_([a-z])', lambda m: m.group(1).upper(), path)}: {problem}"

"""Input messages as a processor is given them.

Items whose text stays in its file (`file_text`) are read where they are used: a
processor sees `content` as text, whichever way the items were stored. A processor that
takes lazy inputs (`Processor.lazy_inputs`) gets list fields as sequences read batch by
batch; any other gets plain lists, as before streams existed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from waivern_orchestration.components.file_text import ResolvedItems, Warn, is_file_ref
from waivern_orchestration.components.streams import StreamedItems
from waivern_orchestration.messages import Message


def prepared(inputs: Sequence[Message], *, lazy: bool, warn: Warn) -> list[Message]:
    return [_prepared(message, lazy, warn) for message in inputs]


def _prepared(message: Message, lazy: bool, warn: Warn) -> Message:
    if not isinstance(message.content, dict):
        return message
    content: dict[str, Any] = {}
    changed = False
    for name, value in message.content.items():
        if isinstance(value, StreamedItems) or (
            isinstance(value, list) and any(_has_file_ref(item) for item in value)
        ):
            view = ResolvedItems(value, warn)
            content[name] = view if lazy else list(view)
            changed = True
        else:
            content[name] = value
    return replace(message, content=content) if changed else message


def _has_file_ref(item: Any) -> bool:
    return isinstance(item, dict) and is_file_ref(item.get("content"))

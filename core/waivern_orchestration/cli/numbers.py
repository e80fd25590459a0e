"""Whole-number command-line arguments, refused in one line when they are not."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def whole_number(minimum: int, what: str) -> Callable[[str], int]:
    """An argparse `type` for a whole number ≥ ``minimum``; ``what`` names it in the
    refusal ("a number of workers")."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is not {what} ({minimum} or more)")
        return value

    return parse

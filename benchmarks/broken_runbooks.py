"""Runbooks with problems, the state a runbook is in while someone edits it: the generated
runbook of `analyse.py` (shorter: fewer names and descriptions) with problems of eleven
kinds planted in every group of five artifacts (about 1.3 problems per artifact), and the
places in the middle of it where the benchmarks edit what users edit: a `description`, an
`inputs` list, an artifact id, a processor type.

Planted, by kind: unknown connector type (WCT020), invalid connector property (WCT022),
`${VAR}` unset without a default (WCT050), unknown input (WCT010), unknown processor type
(WCT021), unknown field (WCT002), the same input twice (WCT012), a dependency cycle
(WCT011, two edges), an artifact neither output nor used (WCT090), a duplicate field
(WCT003), two production methods (WCT004).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from analyse import generate

KINDS = 11
PER_GROUP = 6  # kinds planted in each group of five artifacts
_KEY = re.compile(r"^  ([a-z_]+)_(\d{5}):$")


@dataclass(frozen=True)
class BrokenRunbook:
    path: Path
    text: str
    artifacts: int
    lines: int
    shard: int  # the middle group's shard number, where the edits are made
    description_line: int  # its strict findings' `description:`
    inputs_line: int  # its strict findings' flow `inputs: [...]`
    type_line: int  # its strict findings' `type: personal_data`
    id_line: int  # its database's id (`  db_NNNNN:`)


def generate_broken(count: int, directory: Path) -> BrokenRunbook:
    """A runbook of ``count`` artifacts with planted problems (and its child runbook)."""
    clean = generate(count, directory)
    lines: list[str] = []
    block = ""  # the artifact the line belongs to, e.g. "findings"
    shard = -1
    for line in clean.text.split("\n"):
        key = _KEY.match(line)
        if key is not None:
            block, shard = key.group(1), int(key.group(2))
        elif line.startswith("  ") and not line.startswith("   "):
            block, shard = "", -1  # an artifact outside the groups
        if shard >= 0 and block != "strict_findings" and line.startswith("    name:"):
            continue  # shorter: 20,000 artifacts stay under the 5,000,000-character limit
        if shard >= 0 and line.startswith("    description:"):
            line = f"    description: {block.replace('_', ' ').capitalize()} of shard {shard}."
        planted = _plant(line, block, shard) if shard >= 0 else [line]
        lines.extend(planted)
    text = "\n".join(lines)
    middle = max(0, count // 10)  # the middle group (five artifacts per group)
    strict = lines.index(f"  strict_findings_{middle:05d}:")
    description = _after(lines, strict, "    description:")
    inputs = _after(lines, strict, "    inputs: [")
    type_line = _after(lines, strict, "      type: personal_d")
    id_line = lines.index(f"  db_{middle:05d}:")
    clean.path.write_text(text, encoding="utf-8")
    return BrokenRunbook(
        clean.path,
        text,
        clean.artifacts,
        len(lines),
        middle,
        description,
        inputs,
        type_line,
        id_line,
    )


def _after(lines: list[str], start: int, prefix: str) -> int:
    return next(n for n in range(start + 1, len(lines)) if lines[n].startswith(prefix))


def _kinds(shard: int) -> set[int]:
    return {(shard * 7 + offset) % KINDS for offset in range(PER_GROUP)}


def _plant(line: str, block: str, shard: int) -> list[str]:
    kinds = _kinds(shard)
    s = f"{shard:05d}"
    if block == "db":
        if 0 in kinds and line == "      type: sqlite":
            return ["      type: sqlit"]
        if 1 in kinds and line == "        max_rows_per_table: 500":
            return ["        max_rows_per_table: lots"]
    if block == "files" and 2 in kinds and line.startswith("        path: ${SUPPORT_DIR:-data}"):
        return [f"        path: ${{BATCH_ROOT}}/batch_{s}"]
    if block == "findings":
        if 3 in kinds and line == f"      - files_{s}":
            return [f"      - filez_{s}"]
        if 4 in kinds and line == "      type: personal_data":
            return ["      type: personal_dta"]
        if 7 in kinds and line == f"      - db_{s}":
            return [line, f"      - strict_findings_{s}"]
        if 8 in kinds and line == "    output: true":
            return []
    if block == "archive":
        if 5 in kinds and line.startswith("    description:"):
            return [line, "    descripton: a misspelt field"]
        if 10 in kinds and line == "    source:":
            return [f"    inputs: [db_{s}]", line]
    if block == "strict_findings":
        if line.startswith("    inputs: ["):
            if 6 in kinds:
                line = line.replace(f"files_{s}]", f"db_{s}]")
            if 7 in kinds:
                line = line.replace("]", f", findings_{s}]")
            return [line]
        if 9 in kinds and line.startswith("    name:"):
            return [line, f"    name: Strict findings {shard}, again"]
    return [line]

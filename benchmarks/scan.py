"""Benchmark of a full scan: `wct run` of filesystem → personal_data → findings_summary
over a generated corpus with personal data planted at known places, against `rg -P`.

Each corpus is written into a temporary directory from a seeded generator: filler text
(English-like prose, code, CSV and Markdown lines, counts, years, times and versions that
are not personal data) with one value per planted line, unique across the corpus, of
these types: e-mail addresses, phone numbers (UK +44/07.../020... and US), IBANs (mod-97
check digits), payment cards (Luhn), public IPv4 addresses, US SSNs and UK NINOs. The
shapes: `--mb` corpora of files of 1-8 MB (with one of 65 MiB when the total has room
for it beside a few others, so that reading big files in chunks is exercised) and
`--small-files` (that many files of 0.5-2 KB, 1,000 per folder).

The floor, measured in the same run on the same corpus: ripgrep with PCRE2 counting the
matches of the `default` ruleset's expressions, one pass per expression over the whole
corpus (`rg -P --count-matches`, all cores), when `rg` is installed (`make bench`
installs Debian `ripgrep`). Then the runbook (`files` → `findings` → `summary`) runs as
`wct run --events` in a fresh process: wall time, the peak resident memory of its
process tree (sampled from /proc every 50 ms) and of its largest process (`wait4`), and
how much the run store grew. The findings, read back with `wct inspect --json`, are
scored against the planted values: recall (planted values with a finding of their type
at their file and line) and precision (findings at a planted value of their type).

Targets are printed for information only (exit code 0 either way; non-zero when the
benchmark itself broke, e.g. `wct run` failed).

    .venv/bin/python benchmarks/scan.py [--mb 100,1000] [--small-files 100000]
        [--repeat 1] [--keep DIR] [--workers N] [--verbose]
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import accumulate
from pathlib import Path
from typing import Any

import table  # benchmarks/table.py (the scripts run from this folder)
from waivern_orchestration.components.filesystem import FilesystemProperties
from waivern_orchestration.components.pd_rules import load_ruleset

HEADER = (
    "corpus",
    "files",
    "MB",
    "planted",
    "findings",
    "wct s",
    "floor s (rg -P)",
    "ratio",
    "MB/s",
    "files/s",
    "peak RSS MB",
    "largest process MB",
    "store growth MB",
    "growth/scanned",
    "recall",
    "precision",
)
MB = 1_000_000
BIG_FILE_BYTES = 65 * 2**20  # over 64 MiB: a file that reading in chunks has to split
PLANT_EVERY_BYTES = 16_000  # one planted value per this many bytes in the --mb corpora
POOL_BYTES = 4 * MB  # filler generated once, then sliced into every file
SMALL_FILES_PER_FOLDER = 1_000
SAMPLE_SECONDS = 0.05
INSPECT_PAGE = 10_000
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
TARGET_RATIO = 2.0
TARGET_RSS_MB = 300.0
TARGET_GROWTH = 0.3
TARGET_FILES_PER_SECOND = 5_000.0

# --- the filler: text with no personal data in it --------------------------------------

# No word here may be a label the ruleset looks for (phone, tel, mobile, cell, fax, call,
# dob, born, birthday): the planted values are the only personal data in a corpus.
VOCABULARY = """the of and to in is was for on that with as it by at from this be are have not
or an which but were their has had been they one all there when who more will would about
if out so what up into than them can only other new some could time these two may then do
first any my now such like our over even most made after also did many before must through
back years where much your way well down should because each just those people how too
little state good very make world still own see work long get here between both life being
under never day same another know while last might great old year off come since against
go came right used take three few house use during without again place around however home
small found thought went say part once general high upon school every does got left course
until always away something fact though water less public put think almost hand enough far
took head yet system better set told nothing night end why find look going asked later knew
point next program city business give group toward young days let room side social given
present several order national possible rather second face among form important often
things looked early white case become large big need four within felt along children saw
best ever least power development light thing seemed family interest want members mind
country area others done turn although open service certain kind problem began different
door thus help sense means whole matter perhaps itself times law human line above name
example action company local show whether five history gave today either act feet across
taken past quite anything having seen experience body word half really week free car field
already invoice shipment report quarterly ledger account balance review draft meeting
schedule budget project release deploy server queue cache retry timeout request response
café naïve résumé Zürich façade"""
WORDS = VOCABULARY.split()
CODE_VOCABULARY = (
    "order item user total price count limit index value result buffer record status config "
    "handler session token cursor batch entry payload"
)
IDENTIFIERS = CODE_VOCABULARY.split()
CODE_LINES = (
    "    {a} = {b}({c}, limit={n})",
    "def {a}_{b}(self, {c}):",
    "    return [{c} for {c} in {a}s if {c}.{b} > {n}]",
    "if ({a}.length > {n}) {{ {b}(); }}",
    "SELECT {a}, {b} FROM {c}s WHERE id = {n};",
    '<div class="{a}-{b}">{w} {x}</div>',
    '{{"{a}": "{b}", "count": {n}, "ok": true}}',
    "# TODO: {w} the {b} before the {c}",
    "import {a}.{b} as {c}",
    'log.info("{a} {b} took %d ms", {n})',
    "{a},{b},{n},{w},{x}",
    "## {W} {x}",
    "- {w} {x} {y}",
)

# --- the planted values: each found by the `default` ruleset as its type ---------------

# One value per line, words around it and no digit next to it (a number beside a card
# number would make one longer match that fails the Luhn check). No upper-case word
# follows an IBAN (its groups would run on).
TEMPLATES = {
    "email": (
        "Please reply to {v} before the end of the week.",
        "Contact: {v}",
        "from: {v} (sent, read)",
        "Forwarded by {v} to the support team,",
        '    "email": "{v}",',
    ),
    "phone": (
        "Call me on {v} after lunch.",
        "Mobile: {v}",
        "phone {v} (office hours only)",
        "Reach the desk at {v} or by post.",
        '    "contact": "{v}",',
    ),
    "iban": (
        "Pay to IBAN {v} by the end of the month.",
        "account {v}, reference attached",
        "iban={v};",
    ),
    "payment_card": (
        "Card {v} was charged twice.",
        "paid with {v} (expires soon)",
        "card_number={v}&currency=eur",
        '    "card": "{v}",',
    ),
    "ipv4": (
        "Connection from {v} refused by the firewall.",
        "client_ip={v} method=GET status=ok",
        "remote {v} closed the session",
        '{v} - - "GET /index.html HTTP/1.1" ok',
    ),
    "ssn": (
        "SSN {v} on file.",
        "social security number: {v}",
        "ssn={v},",
    ),
    "nino": (
        "NI number {v} recorded.",
        "National Insurance: {v}",
        "nino={v};",
    ),
}
KINDS = tuple(TEMPLATES)
FIRST_NAMES = (
    "olivia",
    "amelia",
    "isla",
    "ava",
    "noah",
    "oliver",
    "george",
    "arthur",
    "leo",
    "ella",
)
LAST_NAMES = ("smith", "jones", "taylor", "brown", "wilson", "davies", "patel", "wright")
DOMAINS = ("mailbox.co.uk", "postmail.de", "northwind.io", "fastinbox.com", "kestrel-mail.net")
UK_BANKS = ("NWBK", "BARC", "LOYD", "HBUK", "MIDL")
NL_BANKS = ("ABNA", "INGB", "RABO", "TRIO")
NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"
NINO_NEVER = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def _digits(randomness: random.Random, count: int) -> str:
    return "".join(randomness.choice("0123456789") for _ in range(count))


def _email(randomness: random.Random) -> str:
    first, last = randomness.choice(FIRST_NAMES), randomness.choice(LAST_NAMES)
    local = randomness.choice((f"{first}.{last}", f"{first[0]}{last}", f"{last}_{first}"))
    return f"{local}{randomness.randrange(100_000)}@{randomness.choice(DOMAINS)}"


def _phone(randomness: random.Random) -> str:
    area, exchange = randomness.randint(201, 989), randomness.randint(200, 999)
    if exchange == 555:  # 555 numbers are fiction
        exchange = 556
    line = randomness.randint(1000, 9999)
    forms = (
        lambda: f"+44 7{randomness.randint(100, 999)} {randomness.randint(100_000, 999_999)}",
        lambda: f"07{randomness.randint(100, 999)} {randomness.randint(100_000, 999_999)}",
        lambda: f"+44 20 {randomness.randint(3000, 8999)} {line}",
        lambda: f"020 {randomness.randint(3000, 8999)} {line}",
        lambda: f"({area}) {exchange}-{line}",
        lambda: f"{area}-{exchange}-{line}",
        lambda: f"+1 {area} {exchange} {line}",
    )
    return randomness.choice(forms)()


def _iban(randomness: random.Random) -> str:
    country = randomness.choice(("GB", "DE", "NL", "FR"))
    bban = {
        "GB": lambda: randomness.choice(UK_BANKS) + _digits(randomness, 14),
        "DE": lambda: _digits(randomness, 18),
        "NL": lambda: randomness.choice(NL_BANKS) + _digits(randomness, 10),
        "FR": lambda: _digits(randomness, 23),
    }[country]()
    rearranged = bban + country + "00"
    check = 98 - int("".join(str(int(char, 36)) for char in rearranged)) % 97
    compact = f"{country}{check:02d}{bban}"
    if randomness.random() < 0.5:
        return compact
    return " ".join(compact[index : index + 4] for index in range(0, len(compact), 4))


def _luhn_digit(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed(body)):  # the check digit will sit right of it
        digit = int(char)
        if index % 2 == 0:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return str(-total % 10)


def _card(randomness: random.Random) -> str:
    prefix, length = randomness.choice(
        (
            ("4", 16),  # Visa
            (str(randomness.randint(51, 55)), 16),  # Mastercard
            (str(randomness.randint(2221, 2720)), 16),  # Mastercard 2-series
            (randomness.choice(("34", "37")), 15),  # American Express
            ("6011", 16),  # Discover
        )
    )
    body = prefix + _digits(randomness, length - len(prefix) - 1)
    number = body + _luhn_digit(body)
    separator = randomness.choice((" ", "-", ""))
    cuts = (4, 10) if length == 15 else (4, 8, 12)
    pieces = [number[start:end] for start, end in zip((0, *cuts), (*cuts, length), strict=True)]
    return separator.join(pieces)


def _ipv4(randomness: random.Random) -> str:
    while True:
        address = ipaddress.IPv4Address(randomness.getrandbits(32))
        if address.is_global and not address.is_multicast:
            return str(address)


def _ssn(randomness: random.Random) -> str:
    area = randomness.choice([*range(100, 666), *range(667, 900)])
    return f"{area:03d}-{randomness.randint(1, 99):02d}-{randomness.randint(1, 9999):04d}"


def _nino(randomness: random.Random) -> str:
    prefix = "GB"
    while prefix in NINO_NEVER:
        prefix = randomness.choice(NINO_FIRST) + randomness.choice(NINO_SECOND)
    digits, suffix = _digits(randomness, 6), randomness.choice("ABCD")
    if randomness.random() < 0.5:
        return f"{prefix}{digits}{suffix}"
    return f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"


GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "email": _email,
    "phone": _phone,
    "iban": _iban,
    "payment_card": _card,
    "ipv4": _ipv4,
    "ssn": _ssn,
    "nino": _nino,
}


class PlantedValues:
    """Values to plant, never the same twice (as the processor compares them: without
    spaces, brackets, dots, dashes and slashes, lower-cased)."""

    def __init__(self, randomness: random.Random) -> None:
        self.randomness = randomness
        self.used: set[str] = set()

    def draw(self, kind: str) -> str:
        while True:
            value = GENERATORS[kind](self.randomness)
            key = re.sub(r"[\s().\-/]", "", value).lower()
            if key not in self.used:
                self.used.add(key)
                return value


# --- the corpus --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plant:
    file: str  # relative POSIX path, as findings locate it
    line: int
    type: str
    value: str


@dataclass(frozen=True, slots=True)
class Corpus:
    label: str
    root: Path
    files: int
    bytes: int
    plants: list[Plant]


def _number(randomness: random.Random) -> str:
    """A number that is not personal data: a count, a year, a percentage, a time..."""
    return randomness.choice(
        (
            lambda: str(randomness.randint(2, 999)),
            lambda: str(randomness.randint(1950, 2029)),
            lambda: f"{randomness.randint(1, 99)}%",
            lambda: f"{randomness.randint(1, 99)}.{randomness.randint(1, 9)}",
            lambda: f"{randomness.randint(10, 23)}:{randomness.randint(10, 59)}",
            lambda: f"v{randomness.randint(1, 9)}.{randomness.randint(0, 20)}",
        )
    )()


def _sentence(randomness: random.Random) -> str:
    words: list[str] = []
    for _ in range(randomness.randint(5, 16)):
        # Never two numbers in a row: "1999 12 ..." could add up to a card number.
        numeric = words and words[-1][:1].isdigit()
        if not numeric and randomness.random() < 0.08:
            words.append(_number(randomness))
        else:
            words.append(randomness.choice(WORDS))
        if randomness.random() < 0.06:
            words[-1] += ","
    words[0] = words[0].capitalize()
    return " ".join(words).rstrip(",") + randomness.choice(".....?!;:")


def _filler_line(randomness: random.Random) -> str:
    roll = randomness.random()
    if roll < 0.08:
        return ""
    if roll < 0.28:
        a, b, c = (randomness.choice(IDENTIFIERS) for _ in range(3))
        w, x, y = (randomness.choice(WORDS) for _ in range(3))
        return randomness.choice(CODE_LINES).format(
            a=a, b=b, c=c, w=w, x=x, y=y, W=w.capitalize(), n=randomness.randint(2, 999)
        )
    return " ".join(_sentence(randomness) for _ in range(randomness.choice((1, 1, 2))))


class FillerPool:
    """Filler lines generated once, handed out as slices of whole lines."""

    def __init__(self, randomness: random.Random, size: int) -> None:
        lines: list[bytes] = []
        total = 0
        while total < size:
            lines.append((_filler_line(randomness) + "\n").encode("utf-8"))
            total += len(lines[-1])
        self.data = memoryview(b"".join(lines))
        self.lines = len(lines)
        self.starts = list(accumulate((len(line) for line in lines), initial=0))

    def take(self, line: int, size: int) -> tuple[list[memoryview], int, int]:
        """Whole lines from ``line`` on, wrapping round, until at least ``size`` bytes:
        the slices, how many lines they hold and the line after them."""
        pieces: list[memoryview] = []
        count = 0
        while size > 0:
            start = self.starts[line]
            end = min(bisect_left(self.starts, start + size), self.lines)
            pieces.append(self.data[start : self.starts[end]])
            size -= self.starts[end] - start
            count += end - line
            line = end % self.lines
        return pieces, count, line


@dataclass
class CorpusWriter:
    randomness: random.Random
    pool: FillerPool
    values: PlantedValues

    def write_file(
        self, root: Path, relative: str, size: int, plants: int
    ) -> tuple[int, list[Plant]]:
        """Writes about ``size`` bytes of filler with ``plants`` planted lines at random
        places: the bytes written and the plants."""
        randomness = self.randomness
        offsets = sorted(randomness.randrange(size) for _ in range(plants))
        cursor = randomness.randrange(self.pool.lines)
        planted: list[Plant] = []
        written, line = 0, 1  # line: the number of the next line written
        with (root / relative).open("wb") as file:
            for offset in [*offsets, size]:
                pieces, lines, cursor = self.pool.take(cursor, offset - written)
                for piece in pieces:
                    file.write(piece)
                    written += len(piece)
                line += lines
                if len(planted) == plants:
                    break
                kind = randomness.choice(KINDS)
                value = self.values.draw(kind)
                text = (randomness.choice(TEMPLATES[kind]).format(v=value) + "\n").encode()
                file.write(text)
                written += len(text)
                planted.append(Plant(relative, line, kind, value))
                line += 1
        return written, planted

    def megabytes(self, root: Path, megabytes: float) -> Corpus:
        total = int(megabytes * MB)
        sizes: list[int] = []
        if total >= BIG_FILE_BYTES + 16 * MB:
            sizes.append(BIG_FILE_BYTES)
        remaining = total - sum(sizes)
        while remaining > 0:
            sizes.append(min(remaining, self.randomness.randint(1 * MB, 8 * MB)))
            remaining -= sizes[-1]
        self.randomness.shuffle(sizes)
        written, plants = 0, []
        for index, size in enumerate(sizes):
            relative = f"part-{index:04d}{('.log', '.txt', '.md')[index % 3]}"
            count, planted = self.write_file(
                root, relative, size, max(1, size // PLANT_EVERY_BYTES)
            )
            written += count
            plants += planted
        label = f"{megabytes:,g} MB ({len(sizes):,} file{'s' if len(sizes) > 1 else ''})"
        return Corpus(label, root, len(sizes), written, plants)

    def small_files(self, root: Path, files: int) -> Corpus:
        written, plants = 0, []
        for index in range(files):
            folder = f"{index // SMALL_FILES_PER_FOLDER:03d}"
            if index % SMALL_FILES_PER_FOLDER == 0:
                (root / folder).mkdir()
            size = self.randomness.randint(500, 2000)
            relative = f"{folder}/{index:06d}.txt"
            count, planted = self.write_file(
                root, relative, size, self.randomness.choice((0, 1, 1, 2))
            )
            written += count
            plants += planted
        label = f"{files:,} small files ({written / MB:,.1f} MB)"
        return Corpus(label, root, files, written, plants)


# --- the floor: rg -P, one pass per expression -----------------------------------------


@dataclass(frozen=True, slots=True)
class Expression:
    name: str
    flags: tuple[str, ...]
    pattern: str


def ruleset_expressions(ruleset: str) -> list[Expression]:
    """The ruleset's text patterns as rg takes them: PCRE2 reads their Python syntax as it
    is (named groups, fixed-width lookbehinds); `ignore_case` becomes `-i`."""
    expressions: list[Expression] = []
    seen: dict[str, int] = {}
    for rule in load_ruleset(ruleset).text_rules:
        seen[rule.type] = seen.get(rule.type, 0) + 1
        flags = ("-i",) if rule.pattern.flags & re.IGNORECASE else ()
        expressions.append(
            Expression(f"{rule.type} #{seen[rule.type]}", flags, rule.pattern.pattern)
        )
    return expressions


def timed_floor(rg: str, expressions: list[Expression], root: Path) -> list[tuple[float, int]]:
    """Seconds and matches of each expression over the whole corpus."""
    results: list[tuple[float, int]] = []
    for expression in expressions:
        command = [rg, "-P", "--count-matches", "--no-filename", "--no-messages"]
        command += ["--no-ignore", "--hidden", *expression.flags]
        started = time.perf_counter()
        finished = subprocess.run(
            [*command, "-e", expression.pattern, str(root)],
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        if finished.returncode not in (0, 1):
            raise SystemExit(f"rg failed on {expression.name}: {finished.stderr.strip()}")
        results.append((seconds, sum(int(count) for count in finished.stdout.split())))
    return results


# --- the run: wct run in a fresh process -----------------------------------------------


def tree_resident_bytes(root: int) -> int:
    """The resident memory of ``root`` and all its descendants now (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(os.path.join(entry.path, "stat"), encoding="ascii", errors="replace") as f:
                parent = int(f.read().rpartition(")")[2].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as f:
                total += int(f.read().split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            pass
        stack += children.get(pid, [])
    return total


class TreeMemory:
    """The peak of `tree_resident_bytes`, sampled by a thread while the process runs."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, tree_resident_bytes(self.pid))
            if self._stop.wait(SAMPLE_SECONDS):
                return

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


@dataclass(frozen=True, slots=True)
class RunMeasure:
    seconds: float
    tree_peak: int  # bytes, sampled
    largest_process: int  # bytes, the high-water mark of the largest single process
    store_growth: int  # bytes
    own_cpu: float  # CPU seconds of the `wct run` process itself (not its worker processes)
    run_id: str
    failure: str  # why `wct run` did not complete, or ""


def folder_bytes(folder: Path) -> int:
    if not folder.exists():
        return 0
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def own_cpu_seconds(pid: int) -> float:
    """User and system CPU time of the process ``pid`` alone, its threads included and its
    children not (from /proc, readable until the exited process is reaped)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            fields = f.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def timed_run(wct: Path, runbook: Path, store: Path, extra: Sequence[str]) -> RunMeasure:
    before = folder_bytes(store)
    events, errors = runbook.with_suffix(".events"), runbook.with_suffix(".stderr")
    command = [str(wct), "run", str(runbook), "--store", str(store), "--events", *extra]
    with events.open("wb") as out, errors.open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        memory = TreeMemory(process.pid)
        os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)  # exited, not yet reaped
        seconds = time.perf_counter() - started
        tree_peak = memory.stop()
        own_cpu = own_cpu_seconds(process.pid)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    run_id, failure = "", ""
    for line in events.read_text(encoding="utf-8", errors="replace").splitlines():
        event = json.loads(line)
        run_id = str(event.get("run_id", run_id))
        if event.get("error"):
            failure = f"{event.get('artifact')}: {event['error']}"
    if process.returncode != 0 or not run_id:
        lines = errors.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        failure = failure or (lines[-1] if lines else "no output")
        failure = f"exit {process.returncode}, {failure}"
    growth = folder_bytes(store) - before
    largest = usage.ru_maxrss * 1024
    return RunMeasure(seconds, tree_peak, largest, growth, own_cpu, run_id, failure)


def write_runbook(path: Path, corpus: Corpus) -> None:
    limits = ""
    max_files = FilesystemProperties.model_fields.get("max_files")
    if max_files is not None and max_files.default is not None:
        limits = (
            f"        max_files: {corpus.files + 1}"
            "  # until filesystem reads every file by default\n"
        )
    path.write_text(
        "name: Full scan benchmark\n"
        "description: Every file of a generated corpus, scanned for personal data.\n"
        "artifacts:\n"
        "  files:\n"
        "    source:\n"
        "      type: filesystem\n"
        "      properties:\n"
        f"        path: {json.dumps(str(corpus.root))}\n"
        f"{limits}"
        "  findings:\n"
        "    inputs: files\n"
        "    process:\n"
        "      type: personal_data\n"
        "  summary:\n"
        "    inputs: findings\n"
        "    process:\n"
        "      type: findings_summary\n"
        "    output: true\n",
        encoding="utf-8",
    )


def _listed(document: Any) -> list[Any]:
    """The findings in one `wct inspect --json` answer: `content.findings` today, or the
    items of a page."""
    content = document.get("content") if isinstance(document, dict) else None
    for holder, key in ((content, "findings"), (document, "items"), (content, "items")):
        if isinstance(holder, dict) and isinstance(holder.get(key), list):
            return list(holder[key])
    return []


def read_findings(wct: Path, run_id: str, store: Path, paged: bool) -> list[dict[str, Any]]:
    """Every finding of the run's `findings` artifact, page by page when `wct inspect`
    answers in pages (a top-level `page` with a `total`)."""
    findings: list[Any] = []
    while True:
        command = [str(wct), "inspect", run_id, "findings", "--json", "--store", str(store)]
        if paged:
            command += ["--offset", str(len(findings)), "--limit", str(INSPECT_PAGE)]
        finished = subprocess.run(command, capture_output=True, check=False)
        if finished.returncode != 0:
            message = finished.stderr.decode(errors="replace").strip()
            raise SystemExit(f"wct inspect failed (exit {finished.returncode}): {message}")
        document = json.loads(finished.stdout)
        items = _listed(document)
        findings += items
        page = document.get("page") if isinstance(document, dict) else None
        if not (isinstance(page, dict) and isinstance(page.get("total"), int)):
            break
        if not items or len(findings) >= page["total"]:
            break
        if not paged:
            raise SystemExit("wct inspect answers in pages but takes no --offset/--limit")
    return [finding for finding in findings if isinstance(finding, dict)]


@dataclass(frozen=True, slots=True)
class Score:
    recall: float
    precision: float
    findings: int
    missed: list[Plant]
    unexpected: list[dict[str, Any]]


def score(plants: list[Plant], findings: list[dict[str, Any]]) -> Score:
    planted = {(plant.file, plant.line): plant for plant in plants}
    found: set[tuple[str, int]] = set()
    unexpected: list[dict[str, Any]] = []
    for finding in findings:
        location = finding.get("location")
        where = location if isinstance(location, dict) else {}
        line = where.get("line")
        plant = planted.get((str(where.get("file")), line)) if isinstance(line, int) else None
        if plant is not None and plant.type == finding.get("type"):
            found.add((plant.file, plant.line))
        else:
            unexpected.append(finding)
    missed = [plant for key, plant in planted.items() if key not in found]
    recall = (len(plants) - len(missed)) / len(plants) if plants else 1.0
    precision = (len(findings) - len(unexpected)) / len(findings) if findings else 1.0
    return Score(recall, precision, len(findings), missed, unexpected)


# --- the benchmark ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    corpus: Corpus
    floor: list[tuple[float, int]] | None  # per expression, medians
    run: RunMeasure  # medians
    score: Score | None  # None when the run failed
    big_files: bool  # an --mb corpus (the memory target applies)


def _median_run(runs: list[RunMeasure]) -> RunMeasure:
    return RunMeasure(
        statistics.median(run.seconds for run in runs),
        int(statistics.median(run.tree_peak for run in runs)),
        int(statistics.median(run.largest_process for run in runs)),
        int(statistics.median(run.store_growth for run in runs)),
        statistics.median(run.own_cpu for run in runs),
        runs[-1].run_id,
        runs[-1].failure,
    )


def measure(
    corpus: Corpus,
    folder: Path,
    *,
    rg: str | None,
    expressions: list[Expression],
    wct: Path,
    extra: Sequence[str],
    paged: bool,
    repeat: int,
    big_files: bool,
) -> Row:
    runbook, store = folder / "runbook.yaml", folder / "store"
    write_runbook(runbook, corpus)
    floors: list[list[tuple[float, int]]] = []
    runs: list[RunMeasure] = []
    for _ in range(repeat):
        if rg is not None:
            _progress(f"{corpus.label}: rg -P, {len(expressions)} expressions")
            floors.append(timed_floor(rg, expressions, corpus.root))
        _progress(f"{corpus.label}: wct run")
        runs.append(timed_run(wct, runbook, store, extra))
        outcome = f"failed ({runs[-1].failure})" if runs[-1].failure else "completed"
        _progress(f"{corpus.label}: wct run {outcome} in {runs[-1].seconds:.1f} s")
        if runs[-1].failure:
            break
    floor = None
    if floors:
        floor = [
            (statistics.median(sample[index][0] for sample in floors), floors[-1][index][1])
            for index in range(len(expressions))
        ]
    run = _median_run(runs)
    if run.failure:
        return Row(corpus, floor, run, None, big_files)
    findings = read_findings(wct, run.run_id, store, paged)
    return Row(corpus, floor, run, score(corpus.plants, findings), big_files)


def _progress(line: str) -> None:
    print(f"scan.py: {line}", file=sys.stderr, flush=True)


def _fraction(value: float) -> str:
    return "1.0" if value == 1 else f"{min(value, 0.9999):.4f}"


def _cells(row: Row) -> tuple[str, ...]:
    megabytes = row.corpus.bytes / MB
    seconds = row.run.seconds
    floor = sum(seconds for seconds, _ in row.floor) if row.floor is not None else None
    return (
        row.corpus.label,
        f"{row.corpus.files:,}",
        f"{megabytes:,.1f}",
        f"{len(row.corpus.plants):,}",
        f"{row.score.findings:,}" if row.score else "failed",
        f"{seconds:,.2f}",
        f"{floor:,.2f}" if floor is not None else "n/a",
        f"{seconds / floor:,.1f}" if floor else "n/a",
        f"{megabytes / seconds:,.1f}",
        f"{row.corpus.files / seconds:,.0f}",
        f"{row.run.tree_peak / MB:,.0f}",
        f"{row.run.largest_process / MB:,.0f}",
        f"{row.run.store_growth / MB:,.1f}",
        f"{row.run.store_growth / row.corpus.bytes:.2f}",
        _fraction(row.score.recall) if row.score else "failed",
        _fraction(row.score.precision) if row.score else "failed",
    )


def _print_mismatches(row: Row) -> None:
    name = row.corpus.label
    if row.score is None:
        print(f"{name}: wct run failed after {row.run.seconds:.1f} s ({row.run.failure})")
        return
    if row.score.missed:
        plant = row.score.missed[0]
        print(
            f"{name}: {len(row.score.missed):,} planted values not found, e.g. {plant.type} "
            f"{plant.value!r} at {plant.file}:{plant.line}"
        )
    if row.score.unexpected:
        finding = row.score.unexpected[0]
        print(
            f"{name}: {len(row.score.unexpected):,} findings at no planted value, e.g. "
            f"{finding.get('type')} {finding.get('value')!r} at {finding.get('location')}"
        )


def _print_floor_detail(rows: list[Row], expressions: list[Expression]) -> None:
    measured = [row for row in rows if row.floor is not None]
    if not measured:
        return
    header = ["expression"]
    for row in measured:
        header += [f"{row.corpus.label} s", "matches"]
    lines: list[list[str]] = []
    for index, expression in enumerate(expressions):
        cells = [expression.name]
        for row in measured:
            seconds, matches = row.floor[index] if row.floor is not None else (0.0, 0)
            cells += [f"{seconds:.2f}", f"{matches:,}"]
        lines.append(cells)
    print()
    print("floor per expression (rg -P --count-matches, one pass each):")
    table.print_table(header, lines, left_first=True)


def _print_targets(rows: list[Row]) -> None:
    def verdict(passed: bool) -> str:
        return "PASS" if passed else "MISS"

    print()
    print("targets (information only):")
    for row in rows:
        name = row.corpus.label
        if row.score is None:
            print(f"  recall 1.0, {name}: MISS (wct run failed)")
            continue
        if row.floor is not None:
            ratio = row.run.seconds / sum(seconds for seconds, _ in row.floor)
            passed = verdict(ratio <= TARGET_RATIO)
            print(f"  wct within {TARGET_RATIO:g}x the floor, {name}: {passed} ({ratio:.1f}x)")
        else:
            print(f"  wct within {TARGET_RATIO:g}x the floor, {name}: no floor (rg not installed)")
        if row.big_files:
            peak = max(row.run.tree_peak, row.run.largest_process) / MB
            passed = verdict(peak <= TARGET_RSS_MB)
            print(f"  peak RSS ≤ {TARGET_RSS_MB:g} MB, {name}: {passed} ({peak:,.0f} MB)")
        growth = row.run.store_growth / row.corpus.bytes
        print(
            f"  store growth ≤ {TARGET_GROWTH:g}x the bytes scanned, {name}: "
            f"{verdict(growth <= TARGET_GROWTH)} ({growth:.2f}x)"
        )
        if not row.big_files:
            rate = row.corpus.files / row.run.seconds
            print(
                f"  ≥ {TARGET_FILES_PER_SECOND:,.0f} files/s, {name}: "
                f"{verdict(rate >= TARGET_FILES_PER_SECOND)} ({rate:,.0f} files/s)"
            )
        recall = _fraction(row.score.recall)
        print(f"  recall 1.0, {name}: {verdict(row.score.recall == 1)} ({recall})")


def _sizes(text: str) -> list[float]:
    return [float(part) for part in text.split(",") if part.strip()]


def _kept_folder(keep: Path | None, name: str, temporary: Path) -> Path:
    """Where a corpus is written: inside the temporary folder, or under ``--keep``."""
    if keep is None:
        folder = temporary / "corpus"
    else:
        folder = keep / name
        if folder.exists():
            raise SystemExit(f"{folder} exists: give --keep a folder without it")
    folder.mkdir(parents=True)
    return folder


def _keep_plants(keep: Path | None, name: str, corpus: Corpus) -> None:
    if keep is None:
        return
    lines = [
        "file\tline\ttype\tvalue",
        *(f"{p.file}\t{p.line}\t{p.type}\t{p.value}" for p in corpus.plants),
    ]
    (keep / f"{name}.planted.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mb", default="100,1000", help="sizes of the big-file corpora, MB")
    parser.add_argument("--small-files", type=int, default=100_000, help="0 to skip")
    parser.add_argument("--repeat", type=int, default=1, help="runs per corpus (medians)")
    parser.add_argument("--keep", type=Path, help="write the corpora here and keep them")
    parser.add_argument("--workers", type=int, help="passed to `wct run --workers` if it has it")
    parser.add_argument("--verbose", action="store_true", help="the floor per expression")
    arguments = parser.parse_args()

    wct = Path(sys.executable).with_name("wct")
    if not wct.exists():
        raise SystemExit(f"no wct beside {sys.executable}: run with the venv's python")
    run_help = subprocess.run([str(wct), "run", "--help"], capture_output=True, text=True).stdout
    inspect_help = subprocess.run(
        [str(wct), "inspect", "--help"], capture_output=True, text=True
    ).stdout
    paged = "--limit" in inspect_help and "--offset" in inspect_help
    extra: list[str] = []
    notes: list[str] = []
    if arguments.workers is not None:
        if "--workers" in run_help:
            extra = ["--workers", str(arguments.workers)]
        else:
            notes.append("wct run has no --workers: --workers ignored")
    rg = shutil.which("rg")
    if rg is None:
        notes.append("floor: rg not installed (apt-get install ripgrep, or make bench): no floor")
    expressions = ruleset_expressions("default")  # the ruleset personal_data uses by default

    randomness = random.Random(11)
    started = time.perf_counter()
    writer = CorpusWriter(randomness, FillerPool(randomness, POOL_BYTES), PlantedValues(randomness))
    _progress(f"filler pool of {POOL_BYTES / MB:g} MB in {time.perf_counter() - started:.1f} s")
    shapes: list[tuple[str, Callable[[Path], Corpus], bool]] = [
        (f"mb-{size:g}", partial(writer.megabytes, megabytes=size), True)
        for size in _sizes(arguments.mb)
    ]
    if arguments.small_files > 0:
        count = arguments.small_files
        shapes.append((f"small-{count}", partial(writer.small_files, files=count), False))

    rows: list[Row] = []
    for name, generate, big_files in shapes:
        with tempfile.TemporaryDirectory(prefix="wct-scan-") as temporary:
            started = time.perf_counter()
            corpus = generate(_kept_folder(arguments.keep, name, Path(temporary)))
            _keep_plants(arguments.keep, name, corpus)
            _progress(f"{corpus.label}: written in {time.perf_counter() - started:.1f} s")
            rows.append(
                measure(
                    corpus,
                    Path(temporary),
                    rg=rg,
                    expressions=expressions,
                    wct=wct,
                    extra=extra,
                    paged=paged,
                    repeat=arguments.repeat,
                    big_files=big_files,
                )
            )

    table.print_table(HEADER, [_cells(row) for row in rows], left_first=True)
    for note in notes:
        print(note)
    for row in rows:
        _print_mismatches(row)
    if arguments.verbose:
        _print_floor_detail(rows, expressions)
    _print_targets(rows)
    failed = [row.corpus.label for row in rows if row.run.failure]
    if failed:
        raise SystemExit(f"wct run failed on {', '.join(failed)}")


if __name__ == "__main__":
    main()

"""Benchmark of the `personal_data` matching engine against `rg -P` and Python `re`.

A corpus of generated text files (log and CSV-like lines, with e-mails, phones, IBANs,
cards, IP addresses, SSNs, NINOs and dates of birth planted in them) is written into a
temporary directory. Each engine finds the raw matches of the ruleset's expressions (before
checks such as Luhn): the floor is ripgrep with PCRE2 (`rg -P -a --count-matches`, one pass
per expression over the directory, on all cores), when `rg` is installed (`make bench`
installs Debian `ripgrep`); then `re` (each expression's `finditer` per file, today's
engine before native matching) and the engine `personal_data` uses (`text_matcher`). The
table shows MB/s, the raw matches and the time over the floor's.

Then hostile text: a single line without newlines, NUL-heavy data and shapes that make
the expressions backtrack, with the native engine's MB/s (time per MB stays bounded).

    .venv/bin/python benchmarks/matching.py [--mb 50] [--hostile-mb 100] [--ruleset default]

rg counts matches line by line, so an expression that spans a newline (`\\s` in a few of
them) can count differently; the engines must agree with `re` exactly.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import table  # benchmarks/table.py (the scripts run from this folder)
from waivern_orchestration.components.matching import ReMatcher, TextMatcher, text_matcher
from waivern_orchestration.components.pd_rules import load_ruleset

VOCABULARY = (
    "the order id status updated at 12:30:45 version 2.4.1 total 1999 items shipped to "
    "customer ref INFO WARN GET /api/v2/users 200 ms ok retry queue 0.5 cache hit"
)
WORDS = VOCABULARY.split()
PLANTED = (
    "jane.doe{n}@mail.example.org",
    "+44 20 7946 {n:04d}",
    "(202) 555-{n:04d}",
    "GB82 WEST 1234 5698 7654 32",
    "4539 1488 0343 6467",
    "10.{a}.{b}.7",
    "2001:db8::8a2e:370:{n:x}",
    "123-45-{n:04d}",
    "AB 12 34 56 C",
    "DOB: 12/03/1985",
    "phone: 030/9018{a:02d}",
)


def corpus(megabytes: float, files: int, seed: int = 7) -> list[str]:
    randomness = random.Random(seed)
    per_file = int(megabytes * 1_000_000 / files)
    texts: list[str] = []
    for _ in range(files):
        lines: list[str] = []
        size = 0
        while size < per_file:
            line = " ".join(randomness.choice(WORDS) for _ in range(randomness.randint(4, 16)))
            if randomness.random() < 0.03:
                value = randomness.choice(PLANTED).format(
                    n=randomness.randint(0, 9999),
                    a=randomness.randint(0, 99),
                    b=randomness.randint(0, 255),
                )
                line += f" {value}, {randomness.choice(WORDS)}"
            lines.append(line)
            size += len(line) + 1
        texts.append("\n".join(lines) + "\n")
    return texts


def timed_engine(matcher: TextMatcher, texts: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    matches = sum(len(found) for text in texts for found in matcher.find_all(text))
    return time.perf_counter() - started, matches


def timed_ripgrep(rg: str, expressions: list[tuple[str, bool]], folder: Path) -> tuple[float, int]:
    started = time.perf_counter()
    matches = 0
    for expression, ignore_case in expressions:
        arguments = [rg, "-P", "-a", "--count-matches", "--no-filename"]
        arguments += ["-i"] if ignore_case else []
        finished = subprocess.run(
            [*arguments, "-e", expression, str(folder)], capture_output=True, text=True, check=False
        )
        if finished.returncode not in (0, 1):
            raise SystemExit(f"rg failed on {expression!r}: {finished.stderr.strip()}")
        matches += sum(int(line) for line in finished.stdout.split())
    return time.perf_counter() - started, matches


def hostile_cases(megabytes: float) -> dict[str, str]:
    size = int(megabytes * 1_000_000)
    planted = " jane.doe@mail.example.org +44 20 7946 0958 GB82 WEST 1234 5698 7654 32 "
    small = max(size // 5, 10_000)
    return {
        f"one line, {size / 1e6:g} MB": (("x" * 20_000 + planted) * (size // 20_000 + 1))[:size],
        f"NUL-heavy, {small / 1e6:g} MB": (("\x00" * 997 + planted) * (small // 1_000 + 1))[:small],
        f"digit groups, {small / 1e6:g} MB": ("1 " * (small // 2)),
        f"colons, {small / 1e6:g} MB": ("1:" * (small // 2)),
        f"e-mail labels, {small / 1e6:g} MB": (("a" * 60 + "@" + "a." * 400) * (small // 861))[
            :small
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mb", type=float, default=50.0, help="size of the corpus")
    parser.add_argument("--files", type=int, default=50, help="files in the corpus")
    parser.add_argument("--hostile-mb", type=float, default=100.0, help="the one-line case")
    parser.add_argument("--ruleset", default="default")
    arguments = parser.parse_args()

    rules = load_ruleset(arguments.ruleset).text_rules
    patterns = [rule.pattern for rule in rules]
    texts = corpus(arguments.mb, arguments.files)
    megabytes = sum(len(text) for text in texts) / 1e6
    native = text_matcher(patterns)
    print(f"{megabytes:.1f} MB in {len(texts)} files, ruleset `{arguments.ruleset}`")

    results: list[tuple[str, float, int]] = []
    rg = shutil.which("rg")
    if rg is not None:
        with tempfile.TemporaryDirectory() as folder:
            for number, text in enumerate(texts):
                Path(folder, f"{number:04d}.txt").write_text(text, encoding="utf-8")
            expressions = [(p.pattern, bool(p.flags & 2)) for p in patterns]  # re.IGNORECASE
            results.append(("rg -P (floor)", *timed_ripgrep(rg, expressions, Path(folder))))
    results.append(("re", *timed_engine(ReMatcher(patterns), texts)))
    results.append((native.engine, *timed_engine(native, texts)))
    floor = results[0][1]
    table.print_table(
        ("engine", "MB/s", "matches", "ratio to floor"),
        [
            (name, f"{megabytes / seconds:.1f}", f"{matches:,}", f"{seconds / floor:.2f}")
            for name, seconds, matches in results
        ],
        left_first=True,
    )
    if rg is None:
        print("floor: rg not installed (apt-get install ripgrep): `re` is the floor")
    agreed = results[-1][2] == results[-2][2]
    print(f"{native.engine} and re agree on the raw matches: {'yes' if agreed else 'NO'}")

    print()
    rows: list[tuple[str, ...]] = []
    for case, text in hostile_cases(arguments.hostile_mb).items():
        seconds, matches = timed_engine(native, [text])
        rows.append((case, f"{len(text) / 1e6 / seconds:.1f}", f"{matches:,}"))
    table.print_table(("hostile case", f"{native.engine} MB/s", "matches"), rows, left_first=True)

    print()
    print("targets (information only):")
    ratio = results[-1][1] / floor
    print(
        f"  {native.engine} within 3x the floor: {'PASS' if ratio <= 3 else 'MISS'} ({ratio:.2f}x)"
    )
    if not agreed:
        raise SystemExit("the native engine and re disagree")


if __name__ == "__main__":
    main()

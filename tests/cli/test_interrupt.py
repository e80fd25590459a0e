"""Ctrl-C at any moment of `wct`'s start is one line and exit 130, never a traceback: the
package imports nothing heavy until the command runs, inside the guard."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from runbook_samples import SCAN

# Ctrl-C arriving while pydantic is being imported (the slowest part of the start): an
# import hook raises KeyboardInterrupt there, exactly as the signal handler would.
INTERRUPTED_IMPORT = """
import sys

class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == "pydantic":
            raise KeyboardInterrupt
        return None

sys.meta_path.insert(0, CtrlC())
from waivern_orchestration.cli.app import main
sys.exit(main(sys.argv[1:]))
"""


def test_ctrl_c_while_wct_imports_is_one_line(tmp_path: Path) -> None:
    runbook = tmp_path / "scan.yaml"
    runbook.write_text(SCAN, encoding="utf-8")

    finished = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_IMPORT, "validate", str(runbook)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert finished.returncode == 130
    assert finished.stderr == "wct: interrupted\n"


def test_ctrl_c_right_at_the_start_is_never_a_traceback(tmp_path: Path) -> None:
    runbook = tmp_path / "scan.yaml"
    runbook.write_text(SCAN, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "waivern_orchestration.cli.app", "validate", str(runbook)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    process.send_signal(signal.SIGINT)  # before Python has even started, or while it does

    _out, err = process.communicate(timeout=60)

    assert "Traceback" not in err
    assert process.returncode in (130, -signal.SIGINT, 0), err


def test_the_lazy_package_still_offers_its_names_and_submodules() -> None:
    program = (
        "import waivern_orchestration as w\n"
        "assert w.Runbook is w.models.Runbook\n"
        "assert w.planner.Planner is w.Planner\n"
        "try:\n"
        "    w.nonsense\n"
        "except AttributeError:\n"
        "    print('ok')\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )

    assert finished.stdout == "ok\n", finished.stderr


def test_a_command_imports_only_what_it_needs(tmp_path: Path) -> None:
    runbook = tmp_path / "scan.yaml"
    runbook.write_text(SCAN, encoding="utf-8")
    program = (
        "import sys\n"
        "from waivern_orchestration.cli.app import main\n"
        f"code = main(['validate', {str(runbook)!r}])\n"
        "heavy = ['networkx', 'rich', 'waivern_orchestration.execution.executor']\n"
        "print(code, [name for name in heavy if name in sys.modules])\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )

    assert finished.stdout.splitlines()[-1] == "0 []", finished.stderr

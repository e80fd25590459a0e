"""The `local` batch provider's worker:
`python -m waivern_orchestration.execution.batch_worker DIR`.

Reads `DIR/job.json` (`handler` as `module:function`, `payload`), calls the handler and
writes `DIR/result.json`, or `DIR/error.json` when it fails. Files appear whole (written
aside, then renamed), so a poll never reads half a result.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any


def run(folder: Path) -> int:
    job = json.loads((folder / "job.json").read_text(encoding="utf-8"))
    try:
        module_name, _, function_name = job["handler"].partition(":")
        handler = getattr(importlib.import_module(module_name), function_name)
        result = handler(job["payload"])
    except Exception as error:  # recorded for `wct poll`
        _write(folder / "error.json", {"error": f"{type(error).__name__}: {error}"})
        return 1
    _write(folder / "result.json", result)
    return 0


def _write(path: Path, data: Any) -> None:
    aside = path.with_suffix(".tmp")
    aside.write_text(json.dumps(data), encoding="utf-8")
    os.replace(aside, path)


if __name__ == "__main__":  # pragma: no cover - run as a detached process
    sys.exit(run(Path(sys.argv[1])))

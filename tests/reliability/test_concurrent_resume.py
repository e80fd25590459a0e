"""Two processes resume the same run at once: exactly one executes it, the other exits 2
with one clear line, and no artifact is executed by both."""

from __future__ import annotations

import json

import execution_support as support

Workspace = support.Workspace


def test_of_two_concurrent_resumes_exactly_one_proceeds(workspace: Workspace) -> None:
    # `slow` fails at once until fixed.marker exists, then takes long enough for both
    # resumes to meet while it runs.
    runbook = workspace.write(
        "runbook.yaml",
        support.runbook_text(
            {
                "done": support.source(),
                "slow": support.source(fail_unless="fixed.marker", seconds=2),
            }
        ),
    )
    first = workspace.wct("run", runbook, "--events", "--store", workspace.store)
    run_id = json.loads(first.stdout.splitlines()[0])["run_id"]
    assert first.returncode == 1
    workspace.write("fixed.marker", "")

    resume = ("run", runbook, "--resume", run_id, "--store", workspace.store)
    processes = [workspace.start_wct(*resume), workspace.start_wct(*resume)]
    results = [(process, *process.communicate(timeout=60)) for process in processes]

    codes = sorted(process.returncode for process, _, _ in results)
    assert codes == [0, 2], [errors for _, _, errors in results]
    loser = next(process for process, _, _ in results if process.returncode == 2)
    winner = next(process for process, _, _ in results if process.returncode == 0)
    errors = next(errors for process, _, errors in results if process is loser)
    assert errors.count("\n") == 1, errors
    assert errors.startswith(f"wct: run {run_id} is being executed by process {winner.pid}")
    assert workspace.run_record(run_id).status == "completed"
    assert workspace.executions() == {"done": 1, "slow": 2}  # 2: the failed try


def test_while_one_process_executes_a_run_others_cannot_take_it_over(
    workspace: Workspace,
) -> None:
    runbook = workspace.write(
        "runbook.yaml",
        support.runbook_text({"slow": support.source(seconds=60, until="release.marker")}),
    )
    owner = workspace.start_wct("run", runbook, "--events", "--store", workspace.store)
    assert owner.stdout is not None
    run_id = json.loads(owner.stdout.readline())["run_id"]

    attempts = [
        workspace.wct("run", runbook, "--resume", run_id, "--store", workspace.store)
        for _ in range(3)
    ]
    workspace.write("release.marker", "")
    owner.communicate(timeout=60)

    assert [attempt.returncode for attempt in attempts] == [2, 2, 2]
    assert owner.returncode == 0
    assert workspace.executions() == {"slow": 1}


def test_a_second_process_can_read_a_run_while_it_executes(workspace: Workspace) -> None:
    runbook = workspace.write(
        "runbook.yaml",
        support.runbook_text(
            {"quick": support.source(), "slow": support.source(seconds=60, until="release.marker")}
        ),
    )
    owner = workspace.start_wct("run", runbook, "--events", "--store", workspace.store)
    assert owner.stdout is not None
    run_id = ""
    for line in owner.stdout:
        event = json.loads(line)
        run_id = event["run_id"]
        if event["event"] == "artifact_finished":
            break

    shown = workspace.wct("inspect", run_id, "--json", "--store", workspace.store)
    listed = workspace.wct("runs", "--json", "--status", "running", "--store", workspace.store)
    workspace.write("release.marker", "")
    owner.communicate(timeout=60)

    assert shown.returncode == 0, shown.stderr
    states = {
        name: state["status"] for name, state in json.loads(shown.stdout)["artifacts"].items()
    }
    assert states == {"quick": "completed", "slow": "running"}
    assert [run["run_id"] for run in json.loads(listed.stdout)] == [run_id]

"""Running a plan.

- `runs`: start or resume a run (plan, claim it in the store, execute, handle signals);
- `executor`: artifacts in parallel as their inputs complete, state persisted per step;
- `events`: what a run tells its watchers (the progress bar, `--events`, the editor);
- `outcome`: how a run ended and why it stopped early;
- `batch`, `batch_worker`: long processor work handed to batch providers, finished by
  `wct poll` and a resume.
"""

"""The run store (DESIGN.md §4.3): runs, their plans, per-artifact state and outputs.

- `run_store`: the SQLite database, its migrations, ownership of runs;
- `statuses`: run and artifact statuses (their values are stored and printed);
- `location`: which folder holds the store;
- `lookup`: read-only answers for the analysis (WCT060);
- `reports`: the documents `wct runs --json`, `wct inspect --json` and the editor share.
"""

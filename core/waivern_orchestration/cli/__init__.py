"""The `wct` command line: one module per sub-command, wired together in `app`."""

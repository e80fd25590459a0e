"""Runs from the editor: `wct run --events` processes started, followed and cancelled by
the server (`editor_runs`), the failures they report, shown as diagnostics (`failures`),
the graph views draw (`graph`) and the refresh of the views that show run status
(`views`)."""

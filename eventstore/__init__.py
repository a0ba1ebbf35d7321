"""The append-only record of every fact of every casus, on eventsourcing's recorders."""

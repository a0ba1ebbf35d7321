"""The application layer (DESIGN.md, revision of 2026-11-30): the use cases of casus behind one
composition root. The API (api/), the admin commands (casus_cli/), the worker and the benchmarks call
these; none of them wires a store, a vault or a Temporal client of its own, and no rule is decided
here (domain/ decides; this layer fetches, seals, sends and records)."""

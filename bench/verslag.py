"""docs/PERFORMANCE.md and docs/performance.svg from one bench run."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

GRENZEN = {
    "append_ratio": "Every append encodes its events (pydantic JSON), wraps each in its chain envelope and hashes it in "
    "Python, and takes an exclusive table lock with a NOTIFY so that readers never pass a gap; the raw baseline inserts "
    "rows already encoded, without a lock. Tried, and kept: the insert as one call of a PL/pgSQL function of our own "
    "that takes the lock, notifies and inserts (eventsourcing's recorder sends several statements), and the previous "
    "hash passed in from the workflow instead of read back (quick runs: 0.34 -> 0.62 for single events, 0.31 -> 0.47 "
    "for batches of ten). Then, measured on 1000 events: the envelope's hash returned by the wrapping instead of "
    "parsed back out of its JSON (11.7 -> 7.4 us per event); the arrays sent as binary parameters instead of text "
    "with every byte escaped (batches of 100: 18k -> 37k events/s); and the call sent alone on the autocommit "
    "connection, so the statement is its own transaction, with its SQL composed once (single events 1.2k -> 1.55k/s, "
    "batches of ten 7.5k -> 12k/s: one round trip instead of BEGIN, call and COMMIT). Then the envelope written by "
    "formatting instead of through a dict and json.dumps, byte for byte the same (a property test holds it to that, "
    "since a retried append compares bytes), and the event's JSON no longer encoded and decoded again: the Python "
    "work per event 8.4 -> 4.9 us. Tried and rejected: "
    "eventsourcing's POSTGRES_ENABLE_DB_FUNCTIONS (0.63 for single events) takes no table lock, so under concurrent "
    "workers notification ids can commit out of order and a projection could pass a gap for good; the audit record "
    "cannot have that. What remains for large batches is the Python work per event (encoding, envelope, hash).",
    "rebuild": "The rebuild runs beside the live system (projections/herbouw.py, herbouw_delen.py): the log up to its "
    "head is read, checked (envelope, hash, link to the event before) and decoded (pydantic), and each read model "
    "applies it with its own SQL into a workplace, a temporary SQLite file without journal, syncing or secondary "
    "indexes; the casussen are split over one forked process per core (`get_byte(uuid_send(originator_id), 15) % n`), "
    "each reading ranges of positions with its own connection. Each part then writes its tables in COPY's text form; "
    "the switch streams those bytes into fresh tables beside the live ones as each part finishes, builds the live "
    "tables' indexes on them and renames, in one transaction. The baseline only selects and decodes, on one core. "
    "Since 2026-12-01 the population is a live system's log, each casus's events spread over it (two at a time, the "
    "casussen in turn); the population of earlier measurements, each casus appended whole, is given beside it. On "
    "the spread log every casus appears in many batches, and `caseload` read its state back (2.7 KB of JSON parsed) "
    "and wrote it again for each: a part now keeps up to 10,000 casus states in memory and writes each row once. "
    "Also kept in this round: the cycle collector paused for a part's whole run (it walked the states kept), the "
    "envelope and stored event as named tuples, caseload folding the states it owns in place, the row check without "
    "calls per field (the check 95.3k -> 80.1k instructions per event, counted with cachegrind), and COPY text "
    "written without a call per plain value (8.9 -> 3.3 us per caseload row). Measured alternately against the code "
    "of the stop before, 50k events on this machine: the spread log 2.92-3.22 -> 2.24-2.25 s, the parts' CPU "
    "4.4-5.0 -> 3.1-3.2 s; each casus whole 2.09-2.60 -> 2.01-2.40 s. Tried without effect: decoding the event "
    "from text instead of bytes, the hash over a formatted head and the event's bytes instead of a joined text, "
    "another form of the instants. Kept from earlier rounds: ranges of positions per part (a LIMIT over the filter "
    "sorted the rest of the log for every batch), the switch streaming each part in as it finishes, LZ4 for the "
    "casus states, the next batch read on a thread. What remains: per event in each part about 80k instructions "
    "for the check and decode (the baseline's decoding about half of it) and about 110k for the four read models "
    "(caseload's fold and JSON 52k, termijnen 26k, verantwoordelijkheid 27k, huishouden 6k), most of it SQLite "
    "statements; then the switch's COPY of the last part, its index builds and its commit on one core. A ratio of "
    "0.5 needs the read models to cost about what decoding costs, which asks for another shape (termijnen and "
    "verantwoordelijkheid derived from the state caseload folds, and rows written once per casus). "
    "Measured on the machine of the run above, beside it (50k events, the spread log): the rebuild is bound by "
    "the processor, 0.90 s CPU in the parts, 0.26 s in the server and 0.04 s in the parent over 0.68 s, 88% of two "
    "cores. Its course: 0.035 s before the parts start, 0.44 s following the log, 0.05 s writing COPY text, then "
    "about 0.14 s after the last part: the switch's COPY into one server process, the index builds (0.05 s, each "
    "ending with a sync to disk) and the commit. Per event in one part alone: check and decode 5.1 us (the "
    "baseline's select and decode 5.5 us), caseload 4.9, verantwoordelijkheid 1.9, termijnen 1.6, COPY text 1.7, "
    "huishouden 0.3. The same code gave 0.445 on the machine of the morning's run (baseline 66k events/s) and "
    "0.389 and 0.353 in two runs here (183-186k events/s): the waits for the disk, the processes' start and the "
    "commit do not shrink with a faster processor, the baseline does. Tried and dropped in this round: the "
    "indexes built on the empty fresh tables before the rows come in (the COPY into indexed tables took longer "
    "by as much: verantwoordelijkheid 4 -> 12 ms, termijnen 4 -> 13 ms).",
    "audit": "One indexed lookup of a casus's intervals (casus_id, van) in the `verantwoordelijkheid` read model: "
    "it does not grow with the size of the store.",
    "action": "An action is an update whose handler runs the append as a local activity (in the worker, inside the "
    "workflow task) and upserts search attributes; the bare update does neither. The PostgreSQL append (a hash "
    "lookup, an exclusive table lock, the insert and a NOTIFY) sets the floor. Tried, and kept: the append as a local "
    "activity; as a regular activity the same action took about twice as long (p50 53 ms in a quick run, against "
    "28 ms as a local activity in the same mode), because of the extra round trips through the server."
    " The domain's own work per action is microseconds (the decider 9 us, the result's payload 16 us to encode) and"
    " the append one PostgreSQL round trip under the table lock (under 1 ms); the rest is the SDK's sandbox and the"
    " server's work for the action's history events. Tried, and kept: an action upserts only the search attributes"
    " it changed (behind `workflow.patched`); a revised plan or a contact made now adds no upsert and no visibility"
    " write. Full runs before it gave p50 ratios 2.04, 1.96 and 2.12 and p99 1.64, 2.19 and 2.19; the two runs"
    " after it p50 1.75 and 1.75, p99 1.91 and 1.70. On two shared cores the p99 spreads between runs about as"
    " much as the gain.",
    "api": "The API path adds to the same update: HTTP (uvicorn and FastAPI, the JSON body read and checked by "
    "the command's model, the answer written), the token (verified once, then known by its fingerprint until it "
    "expires), the household's key read in one statement and the text sealed (about 1 ms on PostgreSQL), and for "
    "the first action on a casus one query for its household. The bare update of the minimal workflow has no "
    "activity and no append; against it the API path is reported as `api_action_vs_minimal_p50` (about 2.2 in "
    "quick runs here), without a target: the append alone already makes an action about 1.7 of it.",
    "lifecycle": "Same number of updates and local activities on both sides; the difference is the decider, the "
    "append with its hash lookup and the search-attribute upserts.",
    "simulatie": "A folder runs on one process per core, each with its own time-skipping server (fresh every 100 "
    "scenarios: the server slows as its workflows add up) and one store, worker and task queue for all its scenarios; "
    "each scenario reads only its own casus. Kept in this round: the simulator's worker runs the workflow outside the "
    "SDK's sandbox (the same code runs sandboxed in production workers and in the workflow tests, and a test compares "
    "outcomes both ways), its throwaway store in a memory-backed folder, the server's clock asked when last told over "
    "0.25 s ago instead of before every step (10.7 -> 1.1 calls per scenario), the deadlines' effects read from the "
    "store instead of queried, policies and the calendar loaded once per process, scenarios parsed by libyaml: 1000 "
    "scenarios 134-149 s -> 70-99 s, measured alternately. What remains is Temporal's own work per step: an update "
    "with a local activity costs 7.2-8.6 ms of Python and 2.4-3.2 ms of the server on a bare workflow, ours about "
    "10.9 + 2.7 ms; a scenario's 8.4 actions are about 114 ms of its about 160 ms of processor time. Tried without "
    "effect: pass-through modules in the sandbox, fresh servers more often, a third process. The figure depends on "
    "the machine more than on anything since: the same code took 52-60 s on the machine of an earlier round, 103 s "
    "in the full run of the morning of 2026-12-01 (a bare update 27.7 ms p50 there), and 28.5 s in the run above "
    "(29.7 s in a run of its own before it). On the earlier machine one process alone did about 77 ms per "
    "scenario, and two shared two cores with their test servers (1.3 times one process's pace). A fresh server "
    "every 40, 100 or 200 scenarios made no difference that could be told from the noise.",
    "geheugen": "The dev server keeps each open workflow's mutable state and its timers; the worker caches running "
    "workflows (its sticky cache), so its share flattens beyond the cache size.",
}


def _regel(naam: str, f: dict[str, Any]) -> str:
    doel = "—" if f["target"] is None else f"{f['richting']} {f['target']}"
    status = "reported" if f["gehaald"] is None else ("met" if f["gehaald"] else "**not met**")
    return f"| `{naam}` | {f['value']:g} | {doel} | {f['unit']} | {status} |"


def _svg(resultaat: dict[str, Any]) -> str:
    rijen = [(k, v) for k, v in resultaat.items() if isinstance(v, dict) and "value" in v and v["target"]]
    breed, regel, links = 760, 26, 190
    hoogte = 40 + regel * len(rijen)
    delen = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{breed}" height="{hoogte}" font-family="sans-serif" font-size="12">',
             f'<text x="{links}" y="16">figure as a share of its target (1.0 = target; longer is better)</text>']  # fmt: skip
    schaal = (breed - links - 40) / 2.0
    for i, (naam, f) in enumerate(rijen):
        y = 30 + i * regel
        waarde, doel = max(f["value"], 1e-9), f["target"]
        score = waarde / doel if f["richting"] == ">=" else doel / waarde
        lengte = min(score, 2.0) * schaal
        kleur = "#2e7d32" if f["gehaald"] else "#c62828"
        delen.append(f'<text x="4" y="{y + 14}">{escape(naam)}</text>')
        delen.append(f'<rect x="{links}" y="{y + 2}" width="{lengte:.1f}" height="16" fill="{kleur}"/>')
        delen.append(f'<text x="{links + lengte + 4:.1f}" y="{y + 14}">{score:.2f}</text>')
    x1 = links + schaal
    delen.append(f'<line x1="{x1}" y1="22" x2="{x1}" y2="{hoogte - 4}" stroke="#263238" stroke-dasharray="4 3"/>')
    delen.append("</svg>")
    return "\n".join(delen)


def schrijf(resultaat: dict[str, Any], docs: Path) -> None:
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "performance.svg").write_text(_svg(resultaat), encoding="utf-8")
    figuren = {k: v for k, v in resultaat.items() if isinstance(v, dict) and "value" in v}
    m = resultaat["metingen"]
    o, t, a = m["opslag"], m["temporal"], m["audit"]
    tabel = "\n".join(_regel(k, v) for k, v in figuren.items())
    append = "\n".join(
        f"| {b} | {o[f'append_b{b}']['ons']:.0f} | {o[f'append_b{b}']['rauw']:.0f} | {o[f'append_b{b}']['ratio']:.2f} |"
        for b in (1, 10, 100)
    )
    audits = "\n".join(f"| {int(g):,} | {v['casussen']:,} | {v['p50_ms']:.2f} | {v['p99_ms']:.2f} |" for g, v in a.items() if g.isdigit())
    modus = "quick mode (BENCH_QUICK=1: smaller sizes; not for comparison with the targets)" if resultaat["snel"] else "full mode"
    tekst = f"""# Performance

Written by `make bench` on {resultaat["gemeten"]} ({modus}; {resultaat["machine"]}; {resultaat["seconden"]} s). Every
figure is measured side by side with its baseline in the same run, as the median of
{resultaat["herhalingen"]} repetitions where repetitions apply. The machine has 2 cores; PostgreSQL runs on it
too. Machine-readable: `bench/results.json`.

![figures against their targets](performance.svg)

| figure | value | target | unit | |
|---|---|---|---|---|
{tabel}

## 1. Append (PostgreSQL): events/s through the event store vs raw psycopg inserts of the same rows

| batch | event store | raw psycopg | ratio |
|---|---|---|---|
{append}

What limits it: {GRENZEN["append_ratio"]}

## 2. Projection rebuild (PostgreSQL)

{o["rebuild"]["gebeurtenissen"]:,} events of casussen appended two events at a time, the casussen in turn, as a live
system's workers interleave them, so that each casus's events are spread over the whole log: the four read models rebuilt at
{o["rebuild"]["ons"]:.0f} events/s; a raw SELECT + decode of the same rows at {o["rebuild"]["rauw"]:.0f} events/s
(ratio {o["rebuild"]["ratio"]:.3f}). The same casussen appended each whole, one after another (the population of
measurements before 2026-12-01): {o["rebuild_aaneengesloten"]["ons"]:.0f} events/s against {o["rebuild_aaneengesloten"]["rauw"]:.0f}
(ratio {o["rebuild_aaneengesloten"]["ratio"]:.3f}).

What limits it: {GRENZEN["rebuild"]}

## 3. Audit: who held the responsibility at T, for one casus

| events stored | casussen | p50 ms | p99 ms |
|---|---|---|---|
{audits}

What limits it: {GRENZEN["audit"]}

## 4. One action's round trip vs a bare update on the same dev server

Ours p50 {t["actie"]["ons_p50_ms"]:.1f} ms, p99 {t["actie"]["ons_p99_ms"]:.1f} ms; bare update p50
{t["actie"]["kaal_p50_ms"]:.1f} ms, p99 {t["actie"]["kaal_p99_ms"]:.1f} ms.

What limits it: {GRENZEN["action"]}

Through the API (HTTP with a Bearer token, the text sealed, the same action on the same casus): p50
{t["actie"]["api_p50_ms"]:.1f} ms, p99 {t["actie"]["api_p99_ms"]:.1f} ms. What it adds: {GRENZEN["api"]}

## 4b. `casus --help`

Best of 7 fresh processes: {m["cli"]["beste_s"]:.3f} s (median {m["cli"]["mediaan_s"]:.3f} s). The command modules
are imported only when their command runs: `--help` imports click and the table of commands.

## 5. Lifecycle throughput

From melding to closing: {t["levensloop"]["ons_acties_per_s"]:.1f} actions/s; a minimal workflow with the same
updates and activities: {t["levensloop"]["kaal_acties_per_s"]:.1f} actions/s.

What limits it: {GRENZEN["lifecycle"]}

## 6. Simulation

One 18-month scenario: {m["simulatie"]["scenario_18m_s"]:.2f} s. `casus simuleer --batch` over
{m["simulatie"]["batch"]["scenarios"]} scenarios: {m["simulatie"]["batch"]["seconden"]:.1f} s.

What limits it: {GRENZEN["simulatie"]}

## 7. Open casussen waiting on timers

{t["geheugen"]["open_casussen"]:,} open casussen: dev server + worker resident memory from {t["geheugen"]["kib_voor"]:,} KiB to
{t["geheugen"]["kib_na"]:,} KiB, {t["geheugen"]["kib_per_casus"]:.1f} KiB per open casus.

What limits it: {GRENZEN["geheugen"]}
"""
    (docs / "PERFORMANCE.md").write_text(tekst, encoding="utf-8")


if __name__ == "__main__":
    import json
    import sys

    schrijf(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")), Path(sys.argv[2]))

#!/usr/bin/env python3
"""What a text costs the SQLite writer today, against ingest putting a due text straight into
`sending` (docs/benchmarks.md, "What bounds the goal on this design").

    scripts/writer-model.py var/herald.db FULL      # the schema of a heraldd database, synced commits
    scripts/writer-model.py var/herald.db OFF       # the row work alone
    scripts/writer-model.py var/herald.db OFF message_state   # ... without that index, to price it

Copies the `message` and `message_event` schema (tables and indexes) from the given database
into a scratch file and writes 20,000 texts in batches of 35, as heraldd's turns do:
- today: an ingest transaction (INSERT queued + event), a claim transaction (UPDATE to sending +
  event), a record transaction (UPDATE to sent + event);
- straight: one transaction that inserts the text as sending with both events, then the record.
Prints microseconds of writer time per text, three rounds each. A model, not heraldd: Python's
driver adds a constant per statement to both, and no rules, consent lookups or outbox rows.
"""
import os
import shutil
import sqlite3
import sys
import tempfile
import time

if len(sys.argv) < 3 or sys.argv[2] not in ("FULL", "NORMAL", "OFF"):
    sys.exit(__doc__)
source, sync, left_out = sys.argv[1], sys.argv[2], sys.argv[3:]
with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as db:
    schema = ";\n".join(sql for (sql,) in db.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name IN ('message', 'message_event') AND sql IS NOT NULL"
        " ORDER BY type DESC")) + ";"
if "CREATE TABLE message " not in schema.replace("\n", " ") and "CREATE TABLE message(" not in schema:
    sys.exit(f"{source} has no message table: give the path of a heraldd queue database")

TEXTS, TURN = 20_000, 35
scratch = os.path.join(tempfile.mkdtemp(prefix="herald-writer-model-"), "model.db")


def fresh():
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(scratch + suffix):
            os.remove(scratch + suffix)
    db = sqlite3.connect(scratch, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute(f"PRAGMA synchronous = {sync}")
    db.execute("PRAGMA temp_store = MEMORY")
    db.executescript(schema)
    for index in left_out:
        db.execute(f'DROP INDEX "{index}"')
    return db


def insert(db, i, state):
    db.execute(
        "INSERT INTO message (id, org_id, user_id, from_number, to_number, body, kind, priority, state, not_before,"
        " segments, carrier_key, created_at, updated_at)"
        " VALUES (?, 'acme', 'alice', '+16125550200', ?, 'Hello there, this is a text', 'conversational', 1, ?, ?, 1, ?, ?, ?)",
        (i, "+1612555%04d" % (i % 100), state, i, "key-%d" % i, i, i))


def event(db, i, old, new):
    db.execute("INSERT INTO message_event (message_id, at, from_state, to_state) VALUES (?, ?, ?, ?)", (i, i, old, new))


def transaction(db, work):
    db.execute("BEGIN IMMEDIATE")
    work()
    db.execute("COMMIT")


def run(mode):
    db = fresh()
    start = time.perf_counter()
    for first in range(0, TEXTS, TURN):
        ids = range(first, first + TURN)
        if mode == "today":
            transaction(db, lambda: [(insert(db, i, "queued"), event(db, i, None, "queued")) for i in ids])
            transaction(db, lambda: [(db.execute(
                "UPDATE message SET state = 'sending', attempts = attempts + 1, held_reason = NULL, updated_at = ?"
                " WHERE id = ? AND state = 'queued'", (i, i)), event(db, i, "queued", "sending")) for i in ids])
        else:
            transaction(db, lambda: [(insert(db, i, "sending"), event(db, i, None, "queued"),
                                      event(db, i, "queued", "sending")) for i in ids])
        transaction(db, lambda: [(db.execute(
            "UPDATE message SET state = 'sent', carrier_sid = ?, carrier_status = 'queued', sent_at = ?, updated_at = ?,"
            " reconcile_at = ? WHERE id = ? AND state = 'sending'", ("SM%d" % i, i, i, i + 60_000, i)),
            event(db, i, "sending", "sent")) for i in ids])
    db.close()
    return (time.perf_counter() - start) / TEXTS * 1e6


try:
    for _ in range(3):
        print("  ".join(f"{mode} {run(mode):.1f} µs/text" for mode in ("today", "straight")))
finally:
    shutil.rmtree(os.path.dirname(scratch))

#!/usr/bin/env python3
"""What a text costs the SQLite writer today, against three other designs (docs/benchmarks.md,
"What bounds the goal on this design" and "two schema designs priced").

    scripts/writer-model.py var/herald.db FULL      # the schema of a heraldd database, synced commits
    scripts/writer-model.py var/herald.db OFF       # the row work alone
    scripts/writer-model.py var/herald.db OFF message_state   # ... without that index, to price it

Copies the `message` and `message_event` schema (tables and indexes) from the given database
into a scratch file and writes 20,000 texts in batches of 35, as heraldd's turns do:
- today: an ingest transaction (INSERT queued + event), a claim transaction (UPDATE to sending +
  event), a record transaction (UPDATE to sent + event);
- straight: one transaction that inserts the text as sending with both events, then the record;
- narrow: the three transactions of today, but what changes with a transition (state, attempts,
  times, sid) lives in a narrow `message_status` row beside the message, carrying the indexes on
  state (`message_due`, `message_state`, `message_reconcile`, `message_paced`, `message_sid`): the
  message row is written once, at ingest, and each transition rewrites only the narrow row;
- log: the message row is written once, at ingest, with no index on its state; what is due is a
  row of its own in a `due` queue (priority, time, id), deleted by the claim; a transition is its
  event alone, and the record's event carries the sid, indexed for status callbacks.
Prints microseconds of writer time per text, three rounds each. A model, not heraldd: Python's
driver adds a constant per statement to each, and no rules, consent lookups or outbox rows.
Indexes named after the mode are left out of every design that still has them.
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


# Both redesigns take the indexes on a message's state and sid off the message table.
STATE_INDEXES_DROPPED = """
DROP INDEX IF EXISTS message_due; DROP INDEX IF EXISTS message_state; DROP INDEX IF EXISTS message_reconcile;
DROP INDEX IF EXISTS message_paced; DROP INDEX IF EXISTS message_sid;
"""

NARROW = STATE_INDEXES_DROPPED + """
CREATE TABLE message_status (
    id INTEGER PRIMARY KEY, state TEXT NOT NULL, held_reason TEXT, priority INTEGER NOT NULL, not_before INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, carrier_sid TEXT, carrier_status TEXT, updated_at INTEGER NOT NULL,
    sent_at INTEGER, reconcile_at INTEGER);
CREATE INDEX status_due ON message_status(priority, not_before) WHERE state IN ('queued', 'scheduled');
CREATE INDEX status_state ON message_status(state)
    WHERE state = 'queued' OR state = 'scheduled' OR state = 'awaiting_consent' OR state = 'sending' OR state = 'sent';
CREATE INDEX status_reconcile ON message_status(reconcile_at) WHERE state = 'sent' AND reconcile_at IS NOT NULL;
CREATE INDEX status_paced ON message_status(priority, not_before) WHERE state = 'scheduled' AND held_reason = 'sender_rate';
CREATE INDEX status_sid ON message_status(carrier_sid) WHERE carrier_sid IS NOT NULL;
"""


LOG = STATE_INDEXES_DROPPED + """
CREATE TABLE due (priority INTEGER NOT NULL, not_before INTEGER NOT NULL, id INTEGER NOT NULL,
    PRIMARY KEY (priority, not_before, id)) WITHOUT ROWID;
ALTER TABLE message_event ADD COLUMN carrier_sid TEXT;
CREATE INDEX message_event_sid ON message_event(carrier_sid) WHERE carrier_sid IS NOT NULL;
"""


def fresh(narrow=False, log=False):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(scratch + suffix):
            os.remove(scratch + suffix)
    db = sqlite3.connect(scratch, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute(f"PRAGMA synchronous = {sync}")
    db.execute("PRAGMA temp_store = MEMORY")
    db.executescript(schema)
    if narrow:
        db.executescript(NARROW)
    if log:
        db.executescript(LOG)
    for index in left_out:
        db.execute(f'DROP INDEX IF EXISTS "{index}"')
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
    db = fresh(narrow=mode == "narrow", log=mode == "log")
    start = time.perf_counter()
    for first in range(0, TEXTS, TURN):
        ids = range(first, first + TURN)
        if mode == "narrow":
            transaction(db, lambda: [(insert(db, i, "queued"), db.execute(
                "INSERT INTO message_status (id, state, priority, not_before, updated_at) VALUES (?, 'queued', 1, ?, ?)", (i, i, i)),
                event(db, i, None, "queued")) for i in ids])
            transaction(db, lambda: [(db.execute(
                "UPDATE message_status SET state = 'sending', attempts = attempts + 1, held_reason = NULL, updated_at = ?"
                " WHERE id = ? AND state = 'queued'", (i, i)), event(db, i, "queued", "sending")) for i in ids])
            transaction(db, lambda: [(db.execute(
                "UPDATE message_status SET state = 'sent', carrier_sid = ?, carrier_status = 'queued', sent_at = ?, updated_at = ?,"
                " reconcile_at = ? WHERE id = ? AND state = 'sending'", ("SM%d" % i, i, i, i + 60_000, i)),
                event(db, i, "sending", "sent")) for i in ids])
            continue
        if mode == "log":
            transaction(db, lambda: [(insert(db, i, "queued"), db.execute(
                "INSERT INTO due (priority, not_before, id) VALUES (1, ?, ?)", (i, i)), event(db, i, None, "queued")) for i in ids])
            transaction(db, lambda: [(db.execute("DELETE FROM due WHERE priority = 1 AND not_before = ? AND id = ?", (i, i)),
                                      event(db, i, "queued", "sending")) for i in ids])
            transaction(db, lambda: [db.execute(
                "INSERT INTO message_event (message_id, at, from_state, to_state, carrier_sid) VALUES (?, ?, 'sending', 'sent', ?)",
                (i, i, "SM%d" % i)) for i in ids])
            continue
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
        print("  ".join(f"{mode} {run(mode):.1f} µs/text" for mode in ("today", "straight", "narrow", "log")))
finally:
    shutil.rmtree(os.path.dirname(scratch))

"""The ledger's schema, for both stores: its tables, its migrations, and the check
that an SQLite file is a ledger.

The tables (one ``meta`` row records the schema version):

- ``runs``: one row per run (state running / finished / killed, inputs with
  their SHA-256, exit code, counts);
- ``rows``: every input row of a run, with its display columns (and, since
  version 2, its ``notes``: where derived values came from) and, once it has
  one, its outcome (``state`` pending -> done);
- ``attempts``: every request journaled ``in_flight`` before it leaves, then done;
- ``enrolments``: one row per identity the API enrolled, across runs, with who it
  is and the ATS's own candidate and job ids (to write outcomes back);
- ``problems`` (version 3): one row per problem a run reported (an invalid or
  rejected row's fingerprint, ``sync.plan.problem_fingerprint``), with the run
  and time that first reported it, so a later run knows it is not new
  (``--fail-on new``); each row of ``rows`` keeps its own ``fingerprint``;
- ``outcomes``: the interview outcome last seen per enrolment (``outcomes`` runs;
  ``runs.kind`` tells them from sync runs);
- ``positions`` (version 4): one row per job the ledger knows a position for
  (created, adopted, or learned from an enrolment), keyed by the job key, with
  a digest per interview field as last sent, so a changed job is noticed.
- ``pacing`` and a run's ``run_group``, ``shard`` and ``shards`` (version 6): the
  shards of one export, each a run of its own in one run group, and the pace they share.

``MIGRATIONS`` lists (version, script) in order, each declared once for both
stores: portable SQL in SQLite's spelling, which ``sync.ledger.dialect``
translates for PostgreSQL, or a ``PerDialect`` with both spellings side by side
where no portable one exists. ``migrate`` brings an older ledger up to
``SCHEMA_VERSION`` in one transaction, one process at a time, and refuses a
newer one. tests/test_ledger_schema.py checks that both stores end up with the
same tables, columns, keys and indexes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sync.errors import LedgerError
from sync.ledger.db import Database
from sync.ledger.dialect import Script

_SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL UNIQUE,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    state TEXT NOT NULL CHECK (state IN ('running', 'finished', 'killed')),
    dry_run INTEGER NOT NULL,
    mapping TEXT NOT NULL,
    inputs TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    results_path TEXT NOT NULL,
    exit_code INTEGER,
    counts TEXT,
    pid INTEGER,
    host TEXT
);
CREATE TABLE rows (
    run_id TEXT NOT NULL,
    row_index INTEGER NOT NULL,
    source_file TEXT NOT NULL,
    source_row INTEGER NOT NULL,
    candidate_name TEXT NOT NULL,
    candidate_email TEXT NOT NULL,
    position TEXT NOT NULL,
    identity TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
    status TEXT,
    reason TEXT NOT NULL DEFAULT '',
    interview_url TEXT NOT NULL DEFAULT '',
    http_status INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    position_def_set_id TEXT NOT NULL DEFAULT '',
    profile_interview_id TEXT NOT NULL DEFAULT '',
    updated_at TEXT,
    PRIMARY KEY (run_id, row_index)
) WITHOUT ROWID;
CREATE INDEX rows_identity ON rows (identity);
CREATE TABLE attempts (
    attempt_id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    row_index INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('in_flight', 'done')),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    http_status INTEGER,
    outcome TEXT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX attempts_row ON attempts (run_id, row_index);
CREATE TABLE enrolments (
    identity TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    first_status TEXT NOT NULL,
    interview_url TEXT NOT NULL,
    run_id TEXT NOT NULL,
    enrolled_at TEXT NOT NULL,
    last_run_id TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    position_def_set_id TEXT NOT NULL DEFAULT '',
    profile_interview_id TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
"""

# Version 2: where each derived value of a row came from (the results' notes column).
_NOTES_V2 = "ALTER TABLE rows ADD COLUMN notes TEXT NOT NULL DEFAULT ''"

# Version 3: problems remembered across runs, so that a nightly run alarms only for new ones.
# Portable as written: PostgreSQL takes the same partial index and (as BIGINT) the same table.
_PROBLEMS_V3 = """
ALTER TABLE rows ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
CREATE INDEX rows_fingerprint ON rows (fingerprint) WHERE fingerprint <> '';
CREATE TABLE problems (
    fingerprint TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    first_run_id TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    last_run_id TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    runs INTEGER NOT NULL DEFAULT 1
);
"""

# Version 4: the position each job maps to (issue 15; it reached main after 5).
# Portable as written: WITHOUT ROWID is dropped for PostgreSQL.
_POSITIONS_V4 = """
CREATE TABLE positions (
    job_key TEXT PRIMARY KEY,
    interview_def_set_id TEXT NOT NULL DEFAULT '',
    position_def_set_id TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '',
    code TEXT NOT NULL DEFAULT '',
    digests TEXT NOT NULL DEFAULT '{}',
    origin TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    run_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_run_id TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
"""

# Version 5: outcomes back (issue 17), portable SQL (UPDATE ... FROM: SQLite 3.33+).
# An enrolment keeps who it is and the ATS's ids from the export (filled from the rows
# of its run for enrolments made before; the ATS ids come with the next run that reads
# them); ``outcomes`` remembers the outcome last seen, ``runs.kind`` the outcomes runs.
_OUTCOMES_V5 = """
ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'sync';
ALTER TABLE enrolments ADD COLUMN candidate_name TEXT NOT NULL DEFAULT '';
ALTER TABLE enrolments ADD COLUMN candidate_email TEXT NOT NULL DEFAULT '';
ALTER TABLE enrolments ADD COLUMN position TEXT NOT NULL DEFAULT '';
ALTER TABLE enrolments ADD COLUMN position_name TEXT NOT NULL DEFAULT '';
ALTER TABLE enrolments ADD COLUMN candidate_external_id TEXT NOT NULL DEFAULT '';
ALTER TABLE enrolments ADD COLUMN position_external_id TEXT NOT NULL DEFAULT '';
ALTER TABLE enrolments ADD COLUMN source_file TEXT NOT NULL DEFAULT '';
ALTER TABLE enrolments ADD COLUMN source_row INTEGER;
UPDATE enrolments SET
    candidate_name = r.candidate_name, candidate_email = r.candidate_email,
    position = r.position, source_file = r.source_file, source_row = r.source_row
FROM rows r
WHERE r.run_id = enrolments.last_run_id AND r.identity = enrolments.identity
    AND r.row_index = (SELECT min(f.row_index) FROM rows f
                       WHERE f.run_id = r.run_id AND f.identity = r.identity);
CREATE TABLE outcomes (
    identity TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    progress TEXT NOT NULL,
    decision TEXT NOT NULL DEFAULT '',
    score REAL,
    result_id TEXT NOT NULL DEFAULT '',
    changed_at TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    run_id TEXT NOT NULL
);
"""

# Version 6: run groups (the shards of one export, each a run of its own) and the pace
# their shards share (``sync.dispatch.group``). Times in ``pacing`` are seconds on the
# clock every shard reads (the database server's, for PostgreSQL); NULL is "never".
_GROUPS_V6 = """
ALTER TABLE runs ADD COLUMN run_group TEXT;
ALTER TABLE runs ADD COLUMN shard INTEGER;
ALTER TABLE runs ADD COLUMN shards INTEGER;
CREATE INDEX runs_group ON runs (run_group, shard);
CREATE TABLE pacing (
    run_group TEXT PRIMARY KEY,
    rate REAL NOT NULL,
    edge REAL,
    next_slot REAL NOT NULL,
    last_cut REAL,
    settled REAL,
    paused_until REAL,
    claimed INTEGER NOT NULL,
    updated_at REAL NOT NULL
) WITHOUT ROWID;
"""

# (version, script) in order; a ledger at version n gets every script after n. Additive only.
MIGRATIONS: list[tuple[int, Script]] = [
    (1, _SCHEMA_V1),
    (2, _NOTES_V2),
    (3, _PROBLEMS_V3),
    (4, _POSITIONS_V4),
    (5, _OUTCOMES_V5),
    (6, _GROUPS_V6),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def check_is_ledger(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse another application's SQLite database (before anything changes it)."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "meta" not in tables and tables - {"sqlite_sequence"}:
        raise LedgerError(
            f"{path} is an SQLite database but not a jobmojito-sync ledger"
            f" (it has tables {', '.join(sorted(tables))}); pass another --ledger path"
        )


def migrate(db: Database) -> None:
    """Bring the ledger to ``SCHEMA_VERSION``: every script above its stored version, in
    order, in one transaction (a new ledger gets them all)."""
    with db.migration() as session:
        version = 0
        tables = db.tables(session)
        if "meta" in tables:
            row = session.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise LedgerError(
                f"the ledger {db.where} was written by a newer jobmojito-sync (schema"
                f" version {version}; this version reads up to {SCHEMA_VERSION});"
                " upgrade jobmojito-sync"
            )
        for target, script in MIGRATIONS:
            if target > version:
                for statement in db.dialect.ddl(script):
                    session.execute(statement)
                session.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', :version)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    {"version": str(target)},
                )

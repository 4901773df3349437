//! The state file's schema, as an append-only list of migrations: the
//! position of each entry is its version (`PRAGMA user_version`). Never
//! edit, remove or reorder an entry; append a new one (cargo's
//! `util/sqlite.rs`, taskchampion's schema). The store runs the pending
//! ones in one transaction at open and refuses a newer file.

/// The schema, one entry per version. Append only.
pub const MIGRATIONS: &[&str] = &[
    // 1: setup (key, statuses, snapshot, mappings, event types) and the run log.
    r#"
    CREATE TABLE api_key (
        id       INTEGER PRIMARY KEY CHECK (id = 1),
        name     TEXT NOT NULL,
        secret   TEXT NOT NULL,
        saved_at TEXT NOT NULL
    );
    CREATE TABLE synced_statuses (name TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TABLE practice_areas (
        id          INTEGER PRIMARY KEY,   -- CaseStatus's id
        name        TEXT NOT NULL,
        vanished_at TEXT                   -- a refetch no longer saw it
    );
    CREATE TABLE stages (
        id               INTEGER PRIMARY KEY,
        practice_area_id INTEGER NOT NULL REFERENCES practice_areas(id),
        name             TEXT NOT NULL,
        position         INTEGER NOT NULL,
        vanished_at      TEXT
    );
    CREATE TABLE practice_area_mappings (
        practice_area_id INTEGER PRIMARY KEY REFERENCES practice_areas(id),
        case_type        TEXT NOT NULL UNIQUE
    );
    CREATE TABLE stage_mappings (
        stage_id         INTEGER PRIMARY KEY REFERENCES stages(id),
        practice_area_id INTEGER NOT NULL REFERENCES practice_areas(id),
        matter_status    TEXT NOT NULL,
        UNIQUE (practice_area_id, matter_status)
    );
    CREATE TABLE enabled_event_types (name TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE runs (
        id          INTEGER PRIMARY KEY,
        kind        TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        dry_run     INTEGER NOT NULL DEFAULT 0,
        counts      TEXT NOT NULL DEFAULT '{}',
        error       TEXT
    );
    CREATE INDEX runs_by_start ON runs (started_at);
    CREATE TABLE run_items (
        run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        subject    TEXT NOT NULL,     -- matter | event | message
        subject_id TEXT NOT NULL,
        outcome    TEXT NOT NULL,
        detail     TEXT NOT NULL      -- JSON
    );
    CREATE INDEX run_items_by_subject ON run_items (subject, subject_id, run_id);
    CREATE INDEX run_items_by_run ON run_items (run_id);
    "#,
    // 2: matter sync — the ledger of pushed matters and the current skip state.
    r#"
    CREATE TABLE matter_ledger (
        matter_id  INTEGER PRIMARY KEY,
        intent_at  TEXT NOT NULL,     -- a look-up/create was about to be sent
        case_id    INTEGER,           -- CaseStatus's case id, once known
        pushed_at  TEXT,              -- when it was known to be in CaseStatus
        how        TEXT,              -- created | found | conflict
        sent       TEXT NOT NULL,     -- JSON case body sent (for drift)
        drift      TEXT               -- fields changed since the push, as last seen
    );
    CREATE TABLE matter_skips (
        matter_id  INTEGER PRIMARY KEY,
        codes      TEXT NOT NULL,     -- comma-separated reason codes
        since_run  INTEGER NOT NULL,
        since      TEXT NOT NULL
    );
    "#,
    // 3: appointment sync — what was sent for each calendar event.
    r#"
    CREATE TABLE appointment_ledger (
        event_id       INTEGER PRIMARY KEY,
        matter_id      INTEGER NOT NULL,
        case_id        INTEGER NOT NULL,
        intent_at      TEXT NOT NULL,    -- a create was about to be sent
        appointment_id INTEGER,          -- CaseStatus's id, once known
        sent           TEXT,             -- JSON body CaseStatus last accepted
        pushed_at      TEXT
    );
    CREATE INDEX appointment_ledger_by_case ON appointment_ledger (case_id);
    "#,
    // 4: every name CaseStatus has given a practice area or stage, so a
    // rename there is not mistaken for a change of the matter (drift is
    // judged by CaseStatus id).
    r#"
    CREATE TABLE casestatus_names (
        kind TEXT NOT NULL,               -- practice_area | stage
        id   INTEGER NOT NULL,            -- CaseStatus's id
        name TEXT NOT NULL,
        PRIMARY KEY (kind, id, name)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO casestatus_names SELECT 'practice_area', id, name FROM practice_areas;
    INSERT OR IGNORE INTO casestatus_names SELECT 'stage', id, name FROM stages;
    "#,
    // 5: phone numbers resolved by libphonenumber's rules, so a quiet cycle
    // does not parse 100,000 numbers again (a cache: safe to empty).
    r#"
    CREATE TABLE phone_numbers (
        region TEXT NOT NULL,             -- fluentcase.phone_region
        raw    TEXT NOT NULL,             -- the number as typed in FluentCase
        e164   TEXT,                      -- NULL: not a valid number
        PRIMARY KEY (region, raw)
    ) WITHOUT ROWID;
    "#,
    // 6: the CaseStatus ids sent with each push (drift is judged by id,
    // not by name), and the record of accounts this state file left
    // (`connect --new-account`), kept for `log` and `why-skipped`.
    r#"
    ALTER TABLE matter_ledger ADD COLUMN practice_area_id INTEGER;
    ALTER TABLE matter_ledger ADD COLUMN stage_id INTEGER;
    CREATE TABLE previous_accounts (
        id           INTEGER PRIMARY KEY,
        name         TEXT NOT NULL,     -- the key's name in that account
        base_url     TEXT NOT NULL,
        filed_at     TEXT NOT NULL,
        cases        INTEGER NOT NULL,
        appointments INTEGER NOT NULL
    );
    CREATE TABLE previous_account_cases (
        account_id INTEGER NOT NULL REFERENCES previous_accounts(id),
        matter_id  INTEGER NOT NULL,
        case_id    INTEGER NOT NULL,
        pushed_at  TEXT,
        PRIMARY KEY (matter_id, account_id)
    ) WITHOUT ROWID;
    "#,
    // 7: client messages the sync could not import (no matter, a
    // collision, no content, an unknown type) and that wait for a person:
    // `messages pending` lists them, `messages import` / `acknowledge`
    // clear them. One row per CaseStatus message; `since` is when a cycle
    // first found it stuck and is kept across cycles. Self-contained (its
    // own table only), so it merges with other branches' migrations.
    r#"
    CREATE TABLE stuck_messages (
        message_id     INTEGER PRIMARY KEY,  -- CaseStatus's message id
        reason         TEXT NOT NULL,        -- no_matter | collision | no_content | unknown_type | no_time
        detail         TEXT NOT NULL,        -- the reason, for people
        since          TEXT NOT NULL,        -- first seen stuck (RFC 3339 UTC)
        seen_at        TEXT NOT NULL,        -- last cycle that found it stuck
        readable_id    TEXT,                 -- CaseStatus's case number, if any
        integration_id TEXT,                 -- the matter id CaseStatus gave
        sender_name    TEXT,
        preview        TEXT NOT NULL         -- the start of the content
    );
    "#,
    // 8: how many requests this state file's runs made to CaseStatus, by
    // what they ended in (`2xx` … `5xx`, `none`): the metrics'
    // `casestatus_sync_requests_total`. Self-contained, like 7.
    r#"
    CREATE TABLE request_counts (
        code  TEXT PRIMARY KEY,             -- 1xx | 2xx | 3xx | 4xx | 5xx | none
        n     INTEGER NOT NULL DEFAULT 0
    );
    "#,
    // 9: each log item's own time and a matter's file number, so items
    // are structured (SPEC §1: kind, id, file_number, outcome, codes,
    // message, at) without reading FluentCase again. Older rows keep NULL:
    // their time is their run's start, their file number unknown.
    r#"
    ALTER TABLE run_items ADD COLUMN file_number TEXT;
    ALTER TABLE run_items ADD COLUMN at TEXT;
    "#,
];

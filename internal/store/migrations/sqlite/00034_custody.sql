-- +goose Up
-- One row per (user, chain) whose deposit address is being or was asked
-- of the custody provider. The provider's address create is not idempotent,
-- so only the holder of an unexpired claim calls it (across replicas), and
-- attempts > 1 tells operators the provider may hold orphan addresses of
-- this user whose answer was lost.
CREATE TABLE deposit_address_claims (
    user_id        INTEGER NOT NULL REFERENCES users (id),
    network        TEXT    NOT NULL,
    claimed_until  INTEGER NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT    NOT NULL DEFAULT '',
    completed_at   INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (user_id, network)
);

-- Each daily custody reconciliation (API.md §3.7): balances the custody
-- provider reports per currency against the ledger's custody omnibus.
CREATE TABLE custody_reconciliation_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    checked     INTEGER NOT NULL,
    mismatches  INTEGER NOT NULL,
    report      TEXT    NOT NULL,
    run_at      INTEGER NOT NULL
);
CREATE INDEX custody_reconciliation_runs_run_at ON custody_reconciliation_runs (run_at);

-- +goose Down
DROP TABLE custody_reconciliation_runs;
DROP TABLE deposit_address_claims;

-- +goose Up
-- Each reconciliation run of API.md §3.7 and what it found.
CREATE TABLE reconciliation_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT   NOT NULL,
    checked     INTEGER NOT NULL,
    mismatches  INTEGER NOT NULL,
    report      TEXT   NOT NULL,
    run_at      INTEGER NOT NULL
);
CREATE INDEX reconciliation_runs_kind ON reconciliation_runs (kind, id);

-- +goose Down
DROP TABLE reconciliation_runs;

-- +goose Up
CREATE TABLE withdrawals (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    currency        TEXT    NOT NULL,
    network         TEXT    NOT NULL,
    amount          INTEGER NOT NULL CHECK (amount > 0),
    fee             INTEGER NOT NULL CHECK (fee >= 0),
    address         TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    tx_hash         TEXT    NOT NULL DEFAULT '',
    reject_reason   TEXT    NOT NULL DEFAULT '',
    activity_id     INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    completed_at    INTEGER
);
CREATE INDEX withdrawals_user ON withdrawals (user_id, id);
CREATE INDEX withdrawals_status ON withdrawals (status, id);

-- +goose Down
DROP TABLE withdrawals;

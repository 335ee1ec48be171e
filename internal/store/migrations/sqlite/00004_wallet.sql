-- +goose Up
CREATE TABLE deposit_addresses (
    user_id     INTEGER NOT NULL REFERENCES users (id),
    network     TEXT    NOT NULL,
    address     TEXT    NOT NULL,
    canonical   TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, network),
    UNIQUE (network, canonical)
);

CREATE TABLE webhook_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    provider      TEXT    NOT NULL,
    event_key     TEXT    NOT NULL,
    payload       TEXT    NOT NULL,
    state         TEXT    NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT    NOT NULL DEFAULT '',
    received_at   INTEGER NOT NULL,
    processed_at  INTEGER,
    UNIQUE (provider, event_key)
);

CREATE TABLE deposits (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    trade_id      TEXT    NOT NULL UNIQUE,
    user_id       INTEGER REFERENCES users (id),
    currency      TEXT    NOT NULL,
    address       TEXT    NOT NULL,
    amount        INTEGER NOT NULL,
    tx_id         TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL,
    custody_status INTEGER NOT NULL,
    ledger_tx_id  INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    credited_at   INTEGER
);
CREATE UNIQUE INDEX deposits_credit_once ON deposits (currency, tx_id, address) WHERE tx_id <> '' AND status = 'completed';
CREATE INDEX deposits_user ON deposits (user_id, id);

CREATE TABLE transfers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    sender_id     INTEGER NOT NULL REFERENCES users (id),
    recipient_id  INTEGER NOT NULL REFERENCES users (id),
    currency      TEXT    NOT NULL,
    amount        INTEGER NOT NULL CHECK (amount > 0),
    description   TEXT    NOT NULL,
    ledger_tx_id  INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
);

-- One row per user-visible money event; the wallet history is read from here.
CREATE TABLE unified_transactions (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id               INTEGER NOT NULL REFERENCES users (id),
    type                  TEXT    NOT NULL,
    status                TEXT    NOT NULL,
    amount                INTEGER NOT NULL,
    currency              TEXT    NOT NULL,
    fee                   INTEGER NOT NULL DEFAULT 0,
    description           TEXT    NOT NULL DEFAULT '',
    address               TEXT    NOT NULL DEFAULT '',
    tx_hash               TEXT    NOT NULL DEFAULT '',
    reference             TEXT    NOT NULL DEFAULT '',
    source_table          TEXT    NOT NULL,
    source_id             INTEGER NOT NULL,
    counterparty_user_id  INTEGER,
    created_at            INTEGER NOT NULL,
    completed_at          INTEGER
);
CREATE INDEX unified_transactions_user ON unified_transactions (user_id, id);
CREATE UNIQUE INDEX unified_transactions_source ON unified_transactions (source_table, source_id, user_id, type);

-- +goose Down
DROP TABLE unified_transactions;
DROP TABLE transfers;
DROP TABLE deposits;
DROP TABLE webhook_events;
DROP TABLE deposit_addresses;

-- +goose Up
CREATE TABLE card_tasks (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    kyc_id          INTEGER NOT NULL,
    physical        BOOLEAN NOT NULL,
    postal_sealed   TEXT    NOT NULL DEFAULT '',
    fee_payment_id  INTEGER,
    status          TEXT    NOT NULL,
    fail_reason     TEXT    NOT NULL DEFAULT '',
    card_id         INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    completed_at    INTEGER,
    last_polled_at  INTEGER
);
CREATE INDEX card_tasks_user ON card_tasks (user_id, status);

-- Our side of a card: never the PAN, CVV or PIN (the issuer keeps those).
CREATE TABLE cards (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id        INTEGER NOT NULL REFERENCES users (id),
    task_id        INTEGER NOT NULL UNIQUE REFERENCES card_tasks (id),
    public_token   TEXT    NOT NULL UNIQUE,
    masked_pan     TEXT    NOT NULL,
    currency       TEXT    NOT NULL DEFAULT 'HKD',
    status         TEXT    NOT NULL,
    is_physical    BOOLEAN NOT NULL,
    kyc_id         INTEGER NOT NULL,
    member_name    TEXT    NOT NULL DEFAULT '',
    three_ds_plan  TEXT    NOT NULL DEFAULT 'OTP',
    balance        INTEGER NOT NULL DEFAULT 0,
    fee_paid       INTEGER NOT NULL DEFAULT 0,
    expiry         TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    deleted_at     INTEGER
);
CREATE INDEX cards_user ON cards (user_id, id);

-- The sandbox issuer is a simulated external system: these tables are its
-- own, and only its adapter reads or writes them.
CREATE TABLE sim_issuer_cards (
    public_token  TEXT    PRIMARY KEY,
    reference     TEXT    NOT NULL UNIQUE,
    pan           TEXT    NOT NULL,
    cvv           TEXT    NOT NULL,
    expiry        TEXT    NOT NULL,
    balance       INTEGER NOT NULL DEFAULT 0,
    status        TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

-- +goose Down
DROP TABLE sim_issuer_cards;
DROP TABLE cards;
DROP TABLE card_tasks;

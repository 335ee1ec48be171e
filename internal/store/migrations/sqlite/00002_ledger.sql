-- +goose Up
-- owner_id 0 marks a house account; house accounts are split into shards so
-- that postings from many users do not all queue on one row.
CREATE TABLE ledger_accounts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id         INTEGER NOT NULL,
    name             TEXT    NOT NULL,
    currency         TEXT    NOT NULL,
    shard            INTEGER NOT NULL DEFAULT 0,
    balance          INTEGER NOT NULL DEFAULT 0,
    may_go_negative  BOOLEAN NOT NULL,
    created_at       INTEGER NOT NULL,
    UNIQUE (owner_id, name, currency, shard)
);

CREATE TABLE ledger_transactions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    reference    TEXT    NOT NULL UNIQUE,
    kind         TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
);

CREATE TABLE ledger_postings (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id  INTEGER NOT NULL REFERENCES ledger_transactions (id),
    account_id      INTEGER NOT NULL REFERENCES ledger_accounts (id),
    amount          INTEGER NOT NULL CHECK (amount <> 0),
    created_at      INTEGER NOT NULL
);
CREATE INDEX ledger_postings_account ON ledger_postings (account_id, id);
CREATE INDEX ledger_postings_transaction ON ledger_postings (transaction_id);

-- +goose Down
DROP TABLE ledger_postings;
DROP TABLE ledger_transactions;
DROP TABLE ledger_accounts;

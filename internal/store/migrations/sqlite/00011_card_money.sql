-- +goose Up
-- Card balances live on the ledger (accounts "card:<id>" and
-- "card_hold:<id>" in HKD); these tables are the card's own records.

ALTER TABLE cards ADD COLUMN locked_by_admin BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cards ADD COLUMN status_updated_by TEXT NOT NULL DEFAULT '';

-- Every status change: who, when and why.
CREATE TABLE card_status_changes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    card_id      INTEGER NOT NULL REFERENCES cards (id),
    from_status  TEXT   NOT NULL,
    to_status    TEXT   NOT NULL,
    source       TEXT   NOT NULL,
    actor_id     INTEGER NOT NULL DEFAULT 0,
    reason       TEXT   NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
);
CREATE INDEX card_status_changes_card ON card_status_changes (card_id, id);

CREATE TABLE swap_quotes (
    quote_id       TEXT   PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users (id),
    from_currency  TEXT   NOT NULL,
    to_currency    TEXT   NOT NULL,
    from_amount    INTEGER NOT NULL,
    to_amount      INTEGER NOT NULL,
    rate           INTEGER NOT NULL,
    fee_rate       INTEGER NOT NULL,
    fee_amount     INTEGER NOT NULL,
    net_amount     INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    used_at        INTEGER
);
CREATE INDEX swap_quotes_expiry ON swap_quotes (expires_at);

CREATE TABLE swaps (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id        INTEGER NOT NULL REFERENCES users (id),
    card_id        INTEGER NOT NULL REFERENCES cards (id),
    quote_id       TEXT   NOT NULL DEFAULT '',
    direction      TEXT   NOT NULL,
    from_currency  TEXT   NOT NULL,
    to_currency    TEXT   NOT NULL,
    from_amount    INTEGER NOT NULL,
    to_amount      INTEGER NOT NULL,
    rate           INTEGER NOT NULL,
    fee_rate       INTEGER NOT NULL,
    fee_amount     INTEGER NOT NULL,
    net_amount     INTEGER NOT NULL,
    status         TEXT   NOT NULL,
    fail_reason    TEXT   NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    completed_at   INTEGER
);
CREATE INDEX swaps_user ON swaps (user_id, id);
CREATE INDEX swaps_pending ON swaps (status, created_at);

-- The local mirror of the issuer's trades; held/captured are what the
-- ledger currently holds and has captured for the trade, so every event
-- moves money by the difference to the state it implies.
CREATE TABLE card_trades (
    trade_id           INTEGER PRIMARY KEY,
    card_id            INTEGER NOT NULL REFERENCES cards (id),
    trade_type         INTEGER NOT NULL,
    original_trade_id  INTEGER NOT NULL DEFAULT 0,
    authorized         BOOLEAN NOT NULL DEFAULT FALSE,
    amount             INTEGER NOT NULL DEFAULT 0,
    trade_fee          INTEGER NOT NULL DEFAULT 0,
    merchant_name      TEXT   NOT NULL DEFAULT '',
    merchant_city      TEXT   NOT NULL DEFAULT '',
    merchant_country   TEXT   NOT NULL DEFAULT '',
    merchant_currency  TEXT   NOT NULL DEFAULT '',
    merchant_amount    INTEGER NOT NULL DEFAULT 0,
    trade_clear        INTEGER NOT NULL DEFAULT 0,
    clear_amount       INTEGER NOT NULL DEFAULT 0,
    reversal_amount    INTEGER NOT NULL DEFAULT 0,
    trade_exception    TEXT   NOT NULL DEFAULT '',
    held               INTEGER NOT NULL DEFAULT 0,
    captured           INTEGER NOT NULL DEFAULT 0,
    trade_time         INTEGER NOT NULL DEFAULT 0,
    clear_time         INTEGER NOT NULL DEFAULT 0,
    reversal_time      INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX card_trades_card ON card_trades (card_id, trade_id);

-- The card's transaction history (GET /card/transaction-history); source
-- names the business event so each is shown once.
CREATE TABLE card_transactions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    card_id        INTEGER NOT NULL REFERENCES cards (id),
    source         TEXT   NOT NULL,
    trade_id       INTEGER NOT NULL DEFAULT 0,
    trade_type     TEXT   NOT NULL,
    direction      TEXT   NOT NULL,
    amount         INTEGER NOT NULL,
    fee            INTEGER NOT NULL DEFAULT 0,
    balance_after  INTEGER NOT NULL DEFAULT 0,
    merchant_name  TEXT   NOT NULL DEFAULT '',
    description    TEXT   NOT NULL DEFAULT '',
    status         TEXT   NOT NULL,
    trade_time     INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (card_id, source)
);
CREATE INDEX card_transactions_card ON card_transactions (card_id, id);

-- Sandbox issuer: balance operations by our reference (idempotent) and its
-- own view of card trades.
CREATE TABLE sim_issuer_operations (
    reference     TEXT   PRIMARY KEY,
    public_token  TEXT   NOT NULL,
    operation     TEXT   NOT NULL,
    amount        INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE TABLE sim_issuer_trades (
    trade_id      INTEGER PRIMARY KEY,
    public_token  TEXT   NOT NULL,
    amount        INTEGER NOT NULL,
    state         TEXT   NOT NULL,
    created_at    INTEGER NOT NULL
);

-- +goose Down
DROP TABLE sim_issuer_trades;
DROP TABLE sim_issuer_operations;
DROP TABLE card_transactions;
DROP TABLE card_trades;
DROP TABLE swaps;
DROP TABLE swap_quotes;
DROP TABLE card_status_changes;
ALTER TABLE cards DROP COLUMN status_updated_by;
ALTER TABLE cards DROP COLUMN locked_by_admin;

-- +goose Up
CREATE TABLE card_fee_config (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    card_type    TEXT    NOT NULL UNIQUE,
    fee_type     TEXT    NOT NULL DEFAULT 'flat',
    fee_amount   INTEGER NOT NULL CHECK (fee_amount >= 0),
    is_active    BOOLEAN NOT NULL DEFAULT TRUE,
    description  TEXT    NOT NULL DEFAULT '',
    created_by   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
-- API.md §3.3 defaults, in US cents: virtual 5 USD, physical 45 USD.
INSERT INTO card_fee_config (card_type, fee_amount, description, created_at, updated_at) VALUES
    ('virtual', 500, '开卡费', 0, 0),
    ('physical', 4500, '开卡费', 0, 0);

CREATE TABLE card_fee_payments (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id              INTEGER NOT NULL REFERENCES users (id),
    card_type            TEXT    NOT NULL,
    original_fee         INTEGER NOT NULL,
    coupon_discount      INTEGER NOT NULL DEFAULT 0,
    actual_payment       INTEGER NOT NULL,
    status               TEXT    NOT NULL,
    transaction_ref      TEXT    NOT NULL UNIQUE,
    payment_method       TEXT    NOT NULL DEFAULT '',
    coupon_code          TEXT    NOT NULL DEFAULT '',
    coupon_name          TEXT    NOT NULL DEFAULT '',
    consumed_by_task_id  INTEGER,
    created_at           INTEGER NOT NULL,
    expires_at           INTEGER NOT NULL,
    paid_at              INTEGER
);
CREATE INDEX card_fee_payments_user ON card_fee_payments (user_id, card_type, status);

-- +goose Down
DROP TABLE card_fee_payments;
DROP TABLE card_fee_config;

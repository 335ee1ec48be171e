-- +goose Up
-- An operator's per-user exceptions to the programme's limits and fees
-- (docs/operators.md, "Users, KYC review, 3DS"). A NULL limit means the
-- programme's setting applies; the consumers (cards, wallet, card fee) read
-- the row in their own transaction.
CREATE TABLE user_overrides (
    user_id                   INTEGER PRIMARY KEY REFERENCES users (id),
    max_cards                 INTEGER,
    withdrawal_daily_limit    INTEGER,
    withdrawal_monthly_limit  INTEGER,
    card_fee_exempt           BOOLEAN NOT NULL DEFAULT FALSE,
    withdrawal_fee_exempt     BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at                INTEGER NOT NULL
);

-- +goose Down
DROP TABLE user_overrides;

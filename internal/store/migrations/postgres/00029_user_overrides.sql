-- +goose Up
-- An operator's per-user exceptions to the programme's limits and fees
-- (docs/operators.md, "Users, KYC review, 3DS"). A NULL limit means the
-- programme's setting applies; the consumers (cards, wallet, card fee) read
-- the row in their own transaction.
CREATE TABLE user_overrides (
    user_id                   BIGINT  PRIMARY KEY REFERENCES users (id),
    max_cards                 INTEGER,
    withdrawal_daily_limit    BIGINT,
    withdrawal_monthly_limit  BIGINT,
    card_fee_exempt           BOOLEAN NOT NULL DEFAULT FALSE,
    withdrawal_fee_exempt     BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at                BIGINT NOT NULL
);

-- +goose Down
DROP TABLE user_overrides;

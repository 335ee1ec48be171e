-- +goose Up
-- Operators' manual corrections of a user's balance (API.md §5): each is one
-- balanced ledger transaction against the house account `adjustments`; this
-- row is its business record (the user's history names it as `adjustments`).
-- reference is unique so that a retried request books at most once.
CREATE TABLE adjustments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    currency      TEXT    NOT NULL,
    amount        INTEGER NOT NULL CHECK (amount <> 0),
    reason        TEXT    NOT NULL,
    reference     TEXT    NOT NULL UNIQUE,
    ledger_tx_id  INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX adjustments_user ON adjustments (user_id, id);
-- The operators' queues: deposits and card-fee payments by status.
CREATE INDEX deposits_status ON deposits (status, id);
CREATE INDEX card_fee_payments_status ON card_fee_payments (status, id);

-- +goose Down
DROP INDEX card_fee_payments_status;
DROP INDEX deposits_status;
DROP TABLE adjustments;

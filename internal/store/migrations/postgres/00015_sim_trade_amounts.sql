-- +goose Up
-- The sandbox issuer remembers how each trade was cleared or reversed, so
-- the platform can ask it about a trade whose event it never received.
ALTER TABLE sim_issuer_trades ADD COLUMN clear_amount BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sim_issuer_trades ADD COLUMN reversal_amount BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE sim_issuer_trades DROP COLUMN reversal_amount;
ALTER TABLE sim_issuer_trades DROP COLUMN clear_amount;

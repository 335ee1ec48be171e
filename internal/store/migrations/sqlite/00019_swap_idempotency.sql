-- +goose Up
-- A swap remembers the Idempotency-Key it was made with, so a retry of a
-- request whose answer was lost finds the swap instead of making another.
ALTER TABLE swaps ADD COLUMN idempotency_key TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX swaps_idempotency ON swaps (user_id, idempotency_key) WHERE idempotency_key <> '';

-- +goose Down
DROP INDEX swaps_idempotency;
ALTER TABLE swaps DROP COLUMN idempotency_key;

-- +goose Up
-- The identity of the process that claimed a key (idempotency.Instance):
-- a retry takes over a claim whose process has ended instead of waiting for
-- it to go stale. 0: made before identities, liveness unknown.
ALTER TABLE idempotency_keys ADD COLUMN instance_id INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE idempotency_keys DROP COLUMN instance_id;

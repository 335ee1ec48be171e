-- +goose Up
-- A status change in flight at the issuer: claimed before the issuer is
-- called, so concurrent changes of one card are refused, swaps wait, and a
-- crash mid-way is finished by the recovery job.
ALTER TABLE cards ADD COLUMN pending_status TEXT NOT NULL DEFAULT '';
ALTER TABLE cards ADD COLUMN pending_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE cards ADD COLUMN pending_amount INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cards ADD COLUMN pending_actor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cards ADD COLUMN pending_at INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE cards DROP COLUMN pending_at;
ALTER TABLE cards DROP COLUMN pending_actor;
ALTER TABLE cards DROP COLUMN pending_amount;
ALTER TABLE cards DROP COLUMN pending_ref;
ALTER TABLE cards DROP COLUMN pending_status;

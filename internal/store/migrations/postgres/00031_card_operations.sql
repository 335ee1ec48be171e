-- +goose Up
-- Operators act on cards, issuance tasks, physical orders and commissions
-- (docs/operators.md, "Cards, tasks, physical orders, tiers, commissions").

-- Who asked for a card status change in flight, and why: the recovery job
-- that finishes an abandoned change records an operator's lock, unlock or
-- cancellation as theirs ('' = the cardholder, as before).
ALTER TABLE cards ADD COLUMN pending_source TEXT NOT NULL DEFAULT '';
ALTER TABLE cards ADD COLUMN pending_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX cards_status ON cards (status, id);

-- An operator's retry of a failed issuance: the issuance timeout counts
-- from the last retry, not from the application.
ALTER TABLE card_tasks ADD COLUMN retries BIGINT NOT NULL DEFAULT 0;
ALTER TABLE card_tasks ADD COLUMN retried_at BIGINT;
CREATE INDEX card_tasks_status ON card_tasks (status, id);

CREATE INDEX physical_orders_status ON physical_orders (status, id);

-- An operator's cancellation of a commission, and why.
ALTER TABLE commissions ADD COLUMN cancelled_at BIGINT;
ALTER TABLE commissions ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX commissions_status ON commissions (status, id);

-- +goose Down
DROP INDEX commissions_status;
ALTER TABLE commissions DROP COLUMN cancel_reason;
ALTER TABLE commissions DROP COLUMN cancelled_at;
DROP INDEX physical_orders_status;
DROP INDEX card_tasks_status;
ALTER TABLE card_tasks DROP COLUMN retried_at;
ALTER TABLE card_tasks DROP COLUMN retries;
DROP INDEX cards_status;
ALTER TABLE cards DROP COLUMN pending_reason;
ALTER TABLE cards DROP COLUMN pending_source;

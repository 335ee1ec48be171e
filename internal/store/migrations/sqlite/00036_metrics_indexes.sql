-- +goose Up
-- Reads of the metrics collector (internal/metrics), which must stay cheap
-- with millions of rows:
-- card tasks finished in the last hour or day (issuance latency, failures);
CREATE INDEX card_tasks_completed ON card_tasks (completed_at);
-- webhook events still waiting for processing (or failing) and the recent
-- unmatched ones. Only those states are indexed: the processed and ignored
-- majority costs nothing. The predicate is written as an OR of equalities so
-- that both engines use the index for a query naming one of the states.
CREATE INDEX webhook_events_attention ON webhook_events (state, received_at)
    WHERE state = 'received' OR state = 'unmatched';

-- +goose Down
DROP INDEX webhook_events_attention;
DROP INDEX card_tasks_completed;

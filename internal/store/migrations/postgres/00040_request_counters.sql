-- +goose Up
-- The request limits of API.md §1.14 (internal/ratelimit.RequestLimiter):
-- per key, the hits of the current fixed window and of the one before it,
-- from which a sliding-window estimate is weighted. Replicas add their
-- admitted hits in batches; window_start is in microseconds.
CREATE TABLE request_counters (
    key           TEXT    PRIMARY KEY,
    window_start  BIGINT  NOT NULL,
    hits          BIGINT  NOT NULL,
    previous_hits BIGINT  NOT NULL
);

-- +goose Down
DROP TABLE request_counters;

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

-- The public id of the user's wallet, copied at signup (it never changes),
-- so that an authenticated profile read finds it in the row its session
-- check already reads. NULL (older rows, bulk-loaded ones): read from
-- wallets instead.
ALTER TABLE users ADD COLUMN wallet_id TEXT;
UPDATE users SET wallet_id = (SELECT w.wallet_id FROM wallets w WHERE w.user_id = users.id);

-- +goose Down
ALTER TABLE users DROP COLUMN wallet_id;
DROP TABLE request_counters;

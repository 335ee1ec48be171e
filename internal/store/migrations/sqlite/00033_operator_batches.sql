-- +goose Up
-- Operator broadcasts (API.md §5): the message, its audience, and the cursor
-- of the job that sends it in batches. The audience is fixed when the
-- broadcast is made (users up to last_user_id). The cursor (the last user id
-- done) moves in the transaction that creates that batch's notifications, so
-- a job resumed after a crash starts where the last committed batch ended:
-- nobody is notified twice and nobody is skipped.
CREATE TABLE notification_broadcasts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    title            TEXT    NOT NULL,
    body             TEXT    NOT NULL,
    data             TEXT    NOT NULL,
    audience         TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    total            INTEGER NOT NULL,
    sent             INTEGER NOT NULL DEFAULT 0,
    cursor_user_id   INTEGER NOT NULL DEFAULT 0,
    last_user_id     INTEGER NOT NULL,
    last_error       TEXT    NOT NULL DEFAULT '',
    created_by       INTEGER NOT NULL,
    idempotency_key  TEXT    NOT NULL DEFAULT '',
    fingerprint      TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    completed_at     INTEGER
);
-- A retried request with the same Idempotency-Key finds the broadcast it made.
CREATE UNIQUE INDEX notification_broadcasts_key ON notification_broadcasts (created_by, idempotency_key)
    WHERE idempotency_key <> '';

-- An operator's "assign this coupon to every user": the same cursor scheme.
-- Assignments are idempotent per (coupon, user), so a run repeated or
-- overlapping another one gives nobody a second copy.
CREATE TABLE coupon_assign_runs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    coupon_id       INTEGER NOT NULL REFERENCES coupons (id),
    status          TEXT    NOT NULL,
    total           INTEGER NOT NULL,
    assigned        INTEGER NOT NULL DEFAULT 0,
    skipped         INTEGER NOT NULL DEFAULT 0,
    cursor_user_id  INTEGER NOT NULL DEFAULT 0,
    last_user_id    INTEGER NOT NULL,
    stop_reason     TEXT    NOT NULL DEFAULT '',
    last_error      TEXT    NOT NULL DEFAULT '',
    created_by      INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    completed_at    INTEGER
);
CREATE INDEX coupon_assign_runs_coupon ON coupon_assign_runs (coupon_id, id);

-- +goose Down
DROP TABLE coupon_assign_runs;
DROP TABLE notification_broadcasts;

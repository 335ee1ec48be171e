-- +goose Up
-- One row per (notification, device) push, so a retried push job skips the
-- devices it already reached.
CREATE TABLE push_deliveries (
    notification_id  INTEGER NOT NULL REFERENCES notifications (id),
    device_id        INTEGER NOT NULL REFERENCES push_devices (id) ON DELETE CASCADE,
    status           TEXT   NOT NULL,
    error            TEXT   NOT NULL DEFAULT '',
    sent_at          INTEGER NOT NULL,
    PRIMARY KEY (notification_id, device_id)
);

-- The unread badge is polled; count it from an index.
CREATE INDEX notifications_user_status ON notifications (user_id, status);

-- +goose Down
DROP INDEX notifications_user_status;
DROP TABLE push_deliveries;

-- +goose Up
CREATE TABLE push_devices (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    fcm_token     TEXT    NOT NULL UNIQUE,
    device_id     TEXT    NOT NULL,
    platform      TEXT    NOT NULL,
    app_version   TEXT    NOT NULL DEFAULT '',
    enabled       BOOLEAN NOT NULL DEFAULT TRUE,
    last_seen_at  INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX push_devices_user ON push_devices (user_id, last_seen_at);

-- +goose Down
DROP TABLE push_devices;

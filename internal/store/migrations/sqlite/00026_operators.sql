-- +goose Up
-- Operators are staff, not users: their own table, their own server-side
-- sessions (docs/operators.md), never mixed with the app's accounts.
CREATE TABLE operators (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    email              TEXT    NOT NULL UNIQUE,
    display_name       TEXT    NOT NULL,
    role               TEXT    NOT NULL,
    status             TEXT    NOT NULL,
    password_hash      TEXT    NOT NULL,
    totp_secret        TEXT    NOT NULL,
    totp_confirmed_at  INTEGER NOT NULL DEFAULT 0,
    totp_last_step     INTEGER NOT NULL DEFAULT 0,
    failed_sign_ins    INTEGER NOT NULL DEFAULT 0,
    locked_until       INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);

CREATE TABLE operator_sessions (
    id            TEXT    PRIMARY KEY,
    operator_id   INTEGER NOT NULL REFERENCES operators (id),
    token_hash    TEXT    NOT NULL UNIQUE,
    ip            TEXT    NOT NULL,
    user_agent    TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    revoked_at    INTEGER NOT NULL DEFAULT 0,
    revoke_reason TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX operator_sessions_operator ON operator_sessions (operator_id, revoked_at);

-- +goose Down
DROP TABLE operator_sessions;
DROP TABLE operators;

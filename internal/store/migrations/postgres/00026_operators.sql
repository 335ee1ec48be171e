-- +goose Up
-- Operators are staff, not users: their own table, their own server-side
-- sessions (docs/operators.md), never mixed with the app's accounts.
CREATE TABLE operators (
    id                 BIGSERIAL PRIMARY KEY,
    email              TEXT    NOT NULL UNIQUE,
    display_name       TEXT    NOT NULL,
    role               TEXT    NOT NULL,
    status             TEXT    NOT NULL,
    password_hash      TEXT    NOT NULL,
    totp_secret        TEXT    NOT NULL,
    totp_confirmed_at  BIGINT  NOT NULL DEFAULT 0,
    totp_last_step     BIGINT  NOT NULL DEFAULT 0,
    failed_sign_ins    INTEGER NOT NULL DEFAULT 0,
    locked_until       BIGINT  NOT NULL DEFAULT 0,
    created_at         BIGINT  NOT NULL,
    updated_at         BIGINT  NOT NULL
);

CREATE TABLE operator_sessions (
    id            TEXT    PRIMARY KEY,
    operator_id   BIGINT  NOT NULL REFERENCES operators (id),
    token_hash    TEXT    NOT NULL UNIQUE,
    ip            TEXT    NOT NULL,
    user_agent    TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    last_seen_at  BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    revoked_at    BIGINT  NOT NULL DEFAULT 0,
    revoke_reason TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX operator_sessions_operator ON operator_sessions (operator_id, revoked_at);

-- +goose Down
DROP TABLE operator_sessions;
DROP TABLE operators;

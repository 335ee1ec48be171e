-- +goose Up
CREATE TABLE users (
    id                        INTEGER PRIMARY KEY AUTOINCREMENT,
    email                     TEXT    NOT NULL UNIQUE,
    password_hash             TEXT    NOT NULL,
    first_name                TEXT,
    last_name                 TEXT,
    phone                     TEXT,
    account_type              TEXT    NOT NULL DEFAULT 'personal',
    status                    TEXT    NOT NULL DEFAULT 'active',
    referral_code             TEXT    NOT NULL UNIQUE,
    referred_by               INTEGER REFERENCES users (id),
    date_of_birth             TEXT,
    address                   TEXT,
    city                      TEXT,
    state                     TEXT,
    post_code                 TEXT,
    area_code                 TEXT,
    bill_country_code         TEXT,
    tx_password_hash          TEXT,
    tx_password_failures      INTEGER NOT NULL DEFAULT 0,
    tx_password_locked_until  INTEGER NOT NULL DEFAULT 0,
    last_login_at             INTEGER,
    last_login_ip             TEXT,
    created_at                INTEGER NOT NULL,
    updated_at                INTEGER NOT NULL,
    deactivated_at            INTEGER
);
CREATE INDEX users_referred_by ON users (referred_by);

CREATE TABLE sessions (
    id            TEXT    PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    created_at    INTEGER NOT NULL,
    revoked_at    INTEGER,
    revoke_reason TEXT    NOT NULL DEFAULT '',
    ip            TEXT    NOT NULL DEFAULT '',
    user_agent    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE refresh_tokens (
    jti            TEXT    PRIMARY KEY,
    session_id     TEXT    NOT NULL REFERENCES sessions (id),
    issued_at      INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    used_at        INTEGER,
    successor_jti  TEXT
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE otp_codes (
    code_sealed  TEXT    NOT NULL DEFAULT '',
    flow_started_at INTEGER NOT NULL,
    purpose      TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    code_hash    TEXT    NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    sent_at      INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    consumed_at  INTEGER,
    PRIMARY KEY (purpose, subject)
);

CREATE TABLE pending_registrations (
    email          TEXT    PRIMARY KEY,
    referral_code  TEXT    NOT NULL DEFAULT '',
    verified_at    INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

CREATE TABLE pending_changes (
    user_id     INTEGER NOT NULL REFERENCES users (id),
    kind        TEXT    NOT NULL,
    target      TEXT    NOT NULL DEFAULT '',
    step        TEXT    NOT NULL,
    handle      TEXT    NOT NULL DEFAULT '',
    secret_hash TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, kind)
);

CREATE TABLE rate_counters (
    key          TEXT    PRIMARY KEY,
    window_start INTEGER NOT NULL,
    hits         INTEGER NOT NULL
);

CREATE TABLE wallets (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id),
    wallet_id   TEXT    NOT NULL UNIQUE,
    status      TEXT    NOT NULL DEFAULT 'active',
    created_at  INTEGER NOT NULL
);

-- +goose Down
DROP TABLE wallets;
DROP TABLE rate_counters;
DROP TABLE pending_changes;
DROP TABLE pending_registrations;
DROP TABLE otp_codes;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;

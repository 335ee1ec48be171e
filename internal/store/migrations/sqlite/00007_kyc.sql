-- +goose Up
-- Identity fields are personal data: they are stored sealed (AEAD, key id
-- prefixed), never in clear columns.
CREATE TABLE kyc_records (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id             INTEGER NOT NULL REFERENCES users (id),
    agent_uid           TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    pokepay_status      INTEGER NOT NULL DEFAULT 0,
    fail_reason         TEXT    NOT NULL DEFAULT '',
    session_id          TEXT    NOT NULL DEFAULT '',
    session_url         TEXT    NOT NULL DEFAULT '',
    session_created_at  INTEGER NOT NULL DEFAULT 0,
    identity_sealed     TEXT    NOT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE UNIQUE INDEX kyc_records_session ON kyc_records (session_id) WHERE session_id <> '';
CREATE INDEX kyc_records_user ON kyc_records (user_id, id);

-- +goose Down
DROP TABLE kyc_records;

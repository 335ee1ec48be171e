-- +goose Up
-- 3DS challenges raised by the issuer (API.md §2.7, §2.11.4). The passcode of
-- an OTP challenge is kept sealed and cleared once the challenge ends;
-- raw_data is the issuer payload with the passcode sealed in place.
CREATE TABLE threeds_challenges (
    id                        INTEGER PRIMARY KEY AUTOINCREMENT,
    notification_id           TEXT    NOT NULL UNIQUE,
    user_id                   INTEGER  NOT NULL REFERENCES users (id),
    card_id                   INTEGER  NOT NULL REFERENCES cards (id),
    public_token              TEXT    NOT NULL,
    auth_method               TEXT    NOT NULL,
    challenge_status          TEXT    NOT NULL,
    merchant_name             TEXT    NOT NULL DEFAULT '',
    merchant_id               TEXT    NOT NULL DEFAULT '',
    amount                    TEXT    NOT NULL,
    currency                  TEXT    NOT NULL,
    passcode_sealed           TEXT    NOT NULL DEFAULT '',
    expires_after             INTEGER  NOT NULL,
    challenge_expires_at      INTEGER  NOT NULL,
    received_at               INTEGER  NOT NULL,
    confirmation_status       TEXT    NOT NULL DEFAULT '',
    confirmed_at              INTEGER,
    confirmed_by              INTEGER,
    delegate_status           TEXT    NOT NULL DEFAULT '',
    delegate_method           TEXT    NOT NULL DEFAULT '',
    ds_transaction_id         TEXT    NOT NULL DEFAULT '',
    transaction_token         TEXT    NOT NULL DEFAULT '',
    raw_data                  TEXT    NOT NULL,
    app_notification_sent     BOOLEAN NOT NULL DEFAULT FALSE,
    app_notification_error    TEXT    NOT NULL DEFAULT '',
    email_notification_sent   BOOLEAN NOT NULL DEFAULT FALSE,
    email_notification_error  TEXT    NOT NULL DEFAULT '',
    issuer_error              TEXT    NOT NULL DEFAULT '',
    created_at                INTEGER  NOT NULL,
    updated_at                INTEGER  NOT NULL
);
CREATE INDEX threeds_challenges_user ON threeds_challenges (user_id, received_at, id);
CREATE INDEX threeds_challenges_live ON threeds_challenges (challenge_status, challenge_expires_at);

-- In-app notifications (API.md §2.8); data is a JSON document kept as text.
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    type        TEXT   NOT NULL DEFAULT '',
    title       TEXT   NOT NULL,
    body        TEXT   NOT NULL,
    data        TEXT   NOT NULL DEFAULT '{}',
    status      TEXT   NOT NULL DEFAULT 'unread',
    read_at     INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX notifications_user ON notifications (user_id, created_at, id);

-- The sandbox issuer's own 3DS state (only its adapter touches these).
CREATE TABLE sim_issuer_3ds_plans (
    public_token  TEXT   PRIMARY KEY,
    plan          TEXT   NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE TABLE sim_issuer_3ds_decisions (
    notification_id  TEXT    PRIMARY KEY,
    approve          BOOLEAN NOT NULL,
    decided_at       INTEGER  NOT NULL
);

-- +goose Down
DROP TABLE sim_issuer_3ds_decisions;
DROP TABLE sim_issuer_3ds_plans;
DROP TABLE notifications;
DROP TABLE threeds_challenges;

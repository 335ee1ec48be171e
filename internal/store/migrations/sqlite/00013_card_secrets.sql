-- +goose Up
-- Every card-secret operation (CVV, full number, PIN query, PIN set): who,
-- which card, what kind, when and from where — never the value. Rows of the
-- last hour also count reveals against the per-user limit (API.md §1.14),
-- which must hold across replicas, so the counter lives here.
CREATE TABLE card_secret_audit (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    card_id      INTEGER NOT NULL REFERENCES cards (id),
    kind         TEXT   NOT NULL,
    outcome      TEXT   NOT NULL,
    client_ip    TEXT   NOT NULL DEFAULT '',
    user_agent   TEXT   NOT NULL DEFAULT '',
    session_id   TEXT   NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    finished_at  INTEGER
);
CREATE INDEX card_secret_audit_user ON card_secret_audit (user_id, created_at);
CREATE INDEX card_secret_audit_card ON card_secret_audit (card_id, created_at);

-- The sandbox issuer's PINs: part of the simulated external system, read and
-- written only by its adapter.
CREATE TABLE sim_issuer_pins (
    public_token  TEXT   PRIMARY KEY REFERENCES sim_issuer_cards (public_token),
    pin           TEXT   NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- +goose Down
DROP TABLE sim_issuer_pins;
DROP TABLE card_secret_audit;

-- +goose Up
-- A physical card order: an upgrade of a virtual card (drafts INIT and
-- EMAIL_VERIFIED, then FEE_PAID onwards), or the order of a card applied for
-- as physical (starts at SUBMITTED). API.md §3.4.5.
CREATE TABLE physical_orders (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    order_no          TEXT    NOT NULL UNIQUE,
    user_id           INTEGER NOT NULL REFERENCES users (id),
    card_id           INTEGER NOT NULL REFERENCES cards (id),
    public_token      TEXT    NOT NULL,
    kind              TEXT    NOT NULL,
    status            TEXT    NOT NULL,
    postal_sealed     TEXT    NOT NULL DEFAULT '',
    fee_usd           INTEGER NOT NULL DEFAULT 0,
    fee_amount        INTEGER NOT NULL DEFAULT 0,
    payment_currency  TEXT    NOT NULL DEFAULT '',
    tracking_no       TEXT    NOT NULL DEFAULT '',
    fail_reason       TEXT    NOT NULL DEFAULT '',
    refund_status     TEXT    NOT NULL DEFAULT '',
    external_req_id   TEXT    NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    shipped_at        INTEGER,
    delivered_at      INTEGER
);
CREATE INDEX physical_orders_card ON physical_orders (card_id, id);
CREATE INDEX physical_orders_user ON physical_orders (user_id, id);
CREATE INDEX physical_orders_token ON physical_orders (public_token, id);
-- At most one paid, live order per card: two concurrent upgrades of one
-- card cannot both be charged, whatever tokens they carry.
CREATE UNIQUE INDEX physical_orders_live ON physical_orders (card_id)
    WHERE status IN ('FEE_PAID', 'SUBMITTED', 'PROCESSING', 'SHIPPED', 'DELIVERED');

-- The timeline of an order, oldest first; append-only.
CREATE TABLE physical_order_events (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id         INTEGER NOT NULL REFERENCES physical_orders (id),
    status           TEXT    NOT NULL,
    previous_status  TEXT    NOT NULL,
    source           TEXT    NOT NULL,
    operator         TEXT    NOT NULL DEFAULT '',
    remark           TEXT    NOT NULL DEFAULT '',
    external_req_id  TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL
);
CREATE INDEX physical_order_events_order ON physical_order_events (order_id, id);

-- verify_token of the upgrade e-mail step, stored as a keyed hash only.
CREATE TABLE physical_verify_tokens (
    token_hash  TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    card_id     INTEGER NOT NULL REFERENCES cards (id),
    order_id    INTEGER NOT NULL REFERENCES physical_orders (id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);

-- The sandbox issuer's own record of physical conversions (simulated
-- external system; only its adapter reads or writes it).
CREATE TABLE sim_issuer_physical (
    reference        TEXT    PRIMARY KEY,
    public_token     TEXT    NOT NULL,
    external_req_id  TEXT    NOT NULL,
    created_at       INTEGER NOT NULL
);

-- +goose Down
DROP TABLE sim_issuer_physical;
DROP TABLE physical_verify_tokens;
DROP TABLE physical_order_events;
DROP TABLE physical_orders;

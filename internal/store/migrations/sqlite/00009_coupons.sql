-- +goose Up
CREATE TABLE coupons (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    code                  TEXT    NOT NULL UNIQUE,
    name                  TEXT    NOT NULL,
    description           TEXT    NOT NULL DEFAULT '',
    type                  TEXT    NOT NULL,
    value                 INTEGER NOT NULL,
    min_fee               INTEGER NOT NULL DEFAULT 0,
    max_discount          INTEGER NOT NULL DEFAULT 0,
    applies_to            TEXT    NOT NULL DEFAULT 'both',
    usage_limit           INTEGER NOT NULL DEFAULT 0,
    usage_limit_per_user  INTEGER NOT NULL DEFAULT 1,
    valid_from            INTEGER NOT NULL,
    valid_until           INTEGER NOT NULL,
    claimable             BOOLEAN NOT NULL DEFAULT FALSE,
    status                TEXT    NOT NULL DEFAULT 'active',
    assigned_count        INTEGER NOT NULL DEFAULT 0,
    created_by            INTEGER NOT NULL DEFAULT 0,
    created_at            INTEGER NOT NULL
);

CREATE TABLE user_coupons (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id              INTEGER NOT NULL REFERENCES users (id),
    coupon_id            INTEGER NOT NULL REFERENCES coupons (id),
    status               TEXT    NOT NULL DEFAULT 'unused',
    source               TEXT    NOT NULL,
    reserved_by_payment  INTEGER,
    assigned_at          INTEGER NOT NULL,
    used_at              INTEGER
);
CREATE INDEX user_coupons_user ON user_coupons (user_id, id);

-- +goose Down
DROP TABLE user_coupons;
DROP TABLE coupons;

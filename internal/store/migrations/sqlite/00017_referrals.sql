-- +goose Up
-- Referral tiers (API.md §3.5). Rates are fractions scaled by 10^8 (0.25 →
-- 25000000), like every rate we store; max_referral_count 0 = no upper bound.
CREATE TABLE tier_configs (
    tier_level                INTEGER NOT NULL PRIMARY KEY,
    tier_name                 TEXT    NOT NULL,
    description               TEXT    NOT NULL DEFAULT '',
    min_referral_count        INTEGER NOT NULL,
    max_referral_count        INTEGER NOT NULL,
    level1_card_opening_rate  INTEGER NOT NULL,
    level1_transaction_rate   INTEGER NOT NULL,
    level2_card_opening_rate  INTEGER NOT NULL,
    level2_transaction_rate   INTEGER NOT NULL,
    updated_at                INTEGER NOT NULL
);
INSERT INTO tier_configs VALUES
    (1, 'V1', '0–10 qualified referrals',   0,   10,  20000000, 10000000,  5000000,  5000000, 0),
    (2, 'V2', '11–30 qualified referrals',  11,  30,  25000000, 15000000, 10000000,  5000000, 0),
    (3, 'V3', '31–100 qualified referrals', 31,  100, 30000000, 20000000, 10000000, 10000000, 0),
    (4, 'V4', '101+ qualified referrals',   101, 0,   35000000, 25000000, 15000000, 10000000, 0);

-- One row per (source event, beneficiary, level): the unique ledger
-- reference is what makes a retried commission job pay once. Amounts are
-- minor units of the payout currency (USD 1:1, 6 decimals).
CREATE TABLE commissions (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    beneficiary_id      INTEGER NOT NULL REFERENCES users (id),
    referee_id          INTEGER NOT NULL REFERENCES users (id),
    level               INTEGER NOT NULL,
    type                TEXT    NOT NULL,
    source_table        TEXT    NOT NULL,
    source_id           INTEGER NOT NULL,
    source_amount       INTEGER NOT NULL,
    rate                INTEGER NOT NULL,
    tier_level          INTEGER NOT NULL,
    commission_amount   INTEGER NOT NULL,
    currency            TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    reference           TEXT    NOT NULL UNIQUE,
    created_at          INTEGER NOT NULL,
    credited_at         INTEGER
);
CREATE INDEX commissions_beneficiary ON commissions (beneficiary_id, id);

-- +goose Down
DROP TABLE commissions;
DROP TABLE tier_configs;

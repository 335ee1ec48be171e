-- +goose Up
-- The sandbox FX simulator's rate (POST /sandbox/fx), in the database so
-- every replica quotes the same rate. version orders the changes, so a
-- replica never replaces a newer rate it already knows with an older read.
CREATE TABLE sim_fx_rates (
    pair        TEXT   NOT NULL PRIMARY KEY,
    rate        BIGINT NOT NULL CHECK (rate > 0),
    version     BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE sim_fx_rates;

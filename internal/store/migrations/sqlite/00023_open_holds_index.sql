-- +goose Up
-- The hourly expiry of uncleared authorisations reads only open holds.
CREATE INDEX card_trades_open_holds ON card_trades (trade_time) WHERE held > 0 AND trade_clear = 0;

-- +goose Down
DROP INDEX card_trades_open_holds;

-- +goose Up
-- Operator-set programme figures (API.md §3.3). A key without a row has its
-- default (today's constant, or the deployment's environment value); a row
-- is an operator's explicit value. Values are canonical text of the key's
-- type (package settings parses them).
CREATE TABLE platform_settings (
    key              TEXT    PRIMARY KEY,
    value            TEXT    NOT NULL,
    updated_at       INTEGER NOT NULL,
    updated_by       INTEGER NOT NULL DEFAULT 0,
    updated_by_label TEXT    NOT NULL DEFAULT ''
);

-- Every change of a §3.3 figure, old and new value, who and why; card fees
-- (stored in card_fee_config) are recorded here too so one history covers
-- them all. Append-only like the audit log.
CREATE TABLE platform_setting_changes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    key         TEXT    NOT NULL,
    old_value   TEXT    NOT NULL,
    new_value   TEXT    NOT NULL,
    changed_at  INTEGER NOT NULL,
    actor_type  TEXT    NOT NULL,
    actor_id    INTEGER NOT NULL DEFAULT 0,
    actor_label TEXT    NOT NULL DEFAULT '',
    reason      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX platform_setting_changes_key ON platform_setting_changes (key, id);

-- +goose StatementBegin
CREATE TRIGGER platform_setting_changes_no_update BEFORE UPDATE ON platform_setting_changes
BEGIN
    SELECT RAISE(ABORT, 'platform_setting_changes is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER platform_setting_changes_no_delete BEFORE DELETE ON platform_setting_changes
BEGIN
    SELECT RAISE(ABORT, 'platform_setting_changes is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE platform_setting_changes;
DROP TABLE platform_settings;

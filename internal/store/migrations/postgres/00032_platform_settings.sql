-- +goose Up
-- Operator-set programme figures (API.md §3.3). A key without a row has its
-- default (today's constant, or the deployment's environment value); a row
-- is an operator's explicit value. Values are canonical text of the key's
-- type (package settings parses them).
CREATE TABLE platform_settings (
    key              TEXT    PRIMARY KEY,
    value            TEXT    NOT NULL,
    updated_at       BIGINT  NOT NULL,
    updated_by       BIGINT  NOT NULL DEFAULT 0,
    updated_by_label TEXT    NOT NULL DEFAULT ''
);

-- Every change of a §3.3 figure, old and new value, who and why; card fees
-- (stored in card_fee_config) are recorded here too so one history covers
-- them all. Append-only like the audit log.
CREATE TABLE platform_setting_changes (
    id          BIGSERIAL PRIMARY KEY,
    key         TEXT    NOT NULL,
    old_value   TEXT    NOT NULL,
    new_value   TEXT    NOT NULL,
    changed_at  BIGINT  NOT NULL,
    actor_type  TEXT    NOT NULL,
    actor_id    BIGINT  NOT NULL DEFAULT 0,
    actor_label TEXT    NOT NULL DEFAULT '',
    reason      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX platform_setting_changes_key ON platform_setting_changes (key, id);

-- +goose StatementBegin
CREATE FUNCTION platform_setting_changes_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'platform_setting_changes is append-only';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER platform_setting_changes_no_update BEFORE UPDATE OR DELETE ON platform_setting_changes
    FOR EACH ROW EXECUTE FUNCTION platform_setting_changes_append_only();

-- +goose Down
DROP TABLE platform_setting_changes;
DROP FUNCTION platform_setting_changes_append_only();
DROP TABLE platform_settings;

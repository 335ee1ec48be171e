-- +goose Up
-- Who did what to which record, written in the same transaction as the
-- change itself. Append-only: no code path updates or deletes a row, and the
-- triggers below refuse it to anything else holding the service's
-- credentials (the table owner can still disable triggers; see
-- docs/postgres-roles.sql for the roles that keep it out of reach).
CREATE TABLE audit_log (
    id           BIGSERIAL PRIMARY KEY,
    at           BIGINT  NOT NULL,
    actor_type   TEXT    NOT NULL,
    actor_id     BIGINT  NOT NULL,
    actor_label  TEXT    NOT NULL,
    actor_role   TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    target_type  TEXT    NOT NULL,
    target_id    TEXT    NOT NULL,
    before_state TEXT    NOT NULL,
    after_state  TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    ip           TEXT    NOT NULL,
    user_agent   TEXT    NOT NULL,
    request_id   TEXT    NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor_type, actor_id, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id, id);
CREATE INDEX audit_log_at ON audit_log (at);

-- +goose StatementBegin
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit: % on audit_log refused: the log is append-only', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- +goose Down
DROP TRIGGER audit_log_no_truncate ON audit_log;
DROP TRIGGER audit_log_append_only ON audit_log;
DROP FUNCTION audit_log_refuse_change();
DROP TABLE audit_log;

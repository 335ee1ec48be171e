-- +goose Up
-- Who did what to which record, written in the same transaction as the
-- change itself. Append-only: no code path updates or deletes a row, and the
-- triggers refuse it.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           INTEGER NOT NULL,
    actor_type   TEXT    NOT NULL,
    actor_id     INTEGER NOT NULL,
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
CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit: UPDATE on audit_log refused: the log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit: DELETE on audit_log refused: the log is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_log_append_only_delete;
DROP TRIGGER audit_log_append_only_update;
DROP TABLE audit_log;

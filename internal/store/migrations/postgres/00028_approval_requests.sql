-- +goose Up
-- Four-eyes: a money-affecting operator action above the configured amount
-- waits here until a second, different operator approves it (executed once,
-- in the approving transaction) or rejects it.
CREATE TABLE approval_requests (
    id              BIGSERIAL PRIMARY KEY,
    kind            TEXT    NOT NULL,
    target_type     TEXT    NOT NULL,
    target_id       TEXT    NOT NULL,
    amount          BIGINT  NOT NULL,
    currency        TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    requested_by    BIGINT  NOT NULL REFERENCES operators (id),
    requested_at    BIGINT  NOT NULL,
    decided_by      BIGINT  NOT NULL DEFAULT 0,
    decided_at      BIGINT  NOT NULL DEFAULT 0,
    decision_reason TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX approval_requests_status ON approval_requests (status, id);
-- One open request per action on a record: a second request for the same
-- withdrawal approval waits for the first to be decided.
CREATE UNIQUE INDEX approval_requests_open_target ON approval_requests (kind, target_type, target_id) WHERE status = 'pending';

-- +goose Down
DROP TABLE approval_requests;

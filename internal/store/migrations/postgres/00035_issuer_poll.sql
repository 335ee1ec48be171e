-- +goose Up
-- Where the issuer poller (package card/issuerpoll) resumes each stream it
-- reads from an issuer that is asked rather than pushing (trades, card
-- states). The cursor is the adapter's own opaque text. Losing a row only
-- costs a re-read: every event read is keyed deterministically in the
-- webhook inbox, so a re-read is a duplicate there.
CREATE TABLE issuer_poll_cursors (
    name       TEXT    PRIMARY KEY,
    cursor     TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL
);

-- A cancellation's balance withdrawal that the issuer confirmed: the close
-- (99) may then be sent and retried, and the withdrawal is never sent again.
ALTER TABLE cards ADD COLUMN pending_withdrawn BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE cards DROP COLUMN pending_withdrawn;
DROP TABLE issuer_poll_cursors;

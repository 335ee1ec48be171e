-- +goose Up
-- Operator-managed content (API.md §2.2 partner link, §2.8). Texts are one
-- column per supported language (en, zh, ar): the set is fixed by the API
-- and every read needs all three for the fallback, so one row per item.
CREATE TABLE announcements (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    status        TEXT   NOT NULL DEFAULT 'draft',
    title_en      TEXT   NOT NULL DEFAULT '',
    title_zh      TEXT   NOT NULL DEFAULT '',
    title_ar      TEXT   NOT NULL DEFAULT '',
    content_en    TEXT   NOT NULL DEFAULT '',
    content_zh    TEXT   NOT NULL DEFAULT '',
    content_ar    TEXT   NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    published_at  INTEGER,
    deleted_at    INTEGER
);
-- The user list and the unread count read published announcements newest first.
CREATE INDEX announcements_published ON announcements (status, published_at, id);

-- A row means the user has read the announcement (API.md §3.4.8).
CREATE TABLE announcement_reads (
    user_id          INTEGER NOT NULL REFERENCES users (id),
    announcement_id  INTEGER NOT NULL REFERENCES announcements (id),
    read_at          INTEGER NOT NULL,
    PRIMARY KEY (user_id, announcement_id)
);

-- Rich text (HTML) per key and language; a missing row is "not configured".
CREATE TABLE site_content (
    content_key TEXT   NOT NULL,
    lang        TEXT   NOT NULL,
    body        TEXT   NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (content_key, lang)
);

CREATE TABLE app_versions (
    platform          TEXT    PRIMARY KEY,
    version           TEXT    NOT NULL,
    download_url      TEXT    NOT NULL,
    release_notes_en  TEXT    NOT NULL DEFAULT '',
    release_notes_zh  TEXT    NOT NULL DEFAULT '',
    release_notes_ar  TEXT    NOT NULL DEFAULT '',
    force_update      BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at        INTEGER  NOT NULL
);

-- At most one partner link: the row with id 1.
CREATE TABLE partner_link (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    name        TEXT   NOT NULL,
    url         TEXT   NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- +goose Down
DROP TABLE partner_link;
DROP TABLE app_versions;
DROP TABLE site_content;
DROP TABLE announcement_reads;
DROP TABLE announcements;

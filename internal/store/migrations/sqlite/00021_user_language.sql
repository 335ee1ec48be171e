-- +goose Up
-- The user's last Accept-Language: notifications are written in it
-- (API.md §2.8).
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'en';

-- +goose Down
ALTER TABLE users DROP COLUMN language;

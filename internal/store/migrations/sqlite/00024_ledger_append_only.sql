-- +goose Up
-- The book is append-only (corrections are new transactions), and no user
-- account may be below zero. The ledger already keeps both rules; these
-- guards hold them against anything else that writes to the file. A CHECK
-- would need a rebuild of ledger_accounts (referenced by every posting), so
-- the balance rule is a pair of triggers here and a CHECK on PostgreSQL.

-- +goose StatementBegin
CREATE TRIGGER ledger_postings_no_update BEFORE UPDATE ON ledger_postings
BEGIN
    SELECT RAISE(ABORT, 'ledger: UPDATE on ledger_postings refused: the book is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_postings_no_delete BEFORE DELETE ON ledger_postings
BEGIN
    SELECT RAISE(ABORT, 'ledger: DELETE on ledger_postings refused: the book is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_transactions_no_update BEFORE UPDATE ON ledger_transactions
BEGIN
    SELECT RAISE(ABORT, 'ledger: UPDATE on ledger_transactions refused: the book is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_transactions_no_delete BEFORE DELETE ON ledger_transactions
BEGIN
    SELECT RAISE(ABORT, 'ledger: DELETE on ledger_transactions refused: the book is append-only');
END;
-- +goose StatementEnd

-- An account row is never removed, and only its balance moves.
-- +goose StatementBegin
CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts
BEGIN
    SELECT RAISE(ABORT, 'ledger: DELETE on ledger_accounts refused: the book is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_accounts_balance_only BEFORE UPDATE ON ledger_accounts
WHEN NEW.id IS NOT OLD.id OR NEW.owner_id IS NOT OLD.owner_id OR NEW.name IS NOT OLD.name
    OR NEW.currency IS NOT OLD.currency OR NEW.shard IS NOT OLD.shard
    OR NEW.may_go_negative IS NOT OLD.may_go_negative OR NEW.created_at IS NOT OLD.created_at
BEGIN
    SELECT RAISE(ABORT, 'ledger: UPDATE on ledger_accounts refused: only the balance moves');
END;
-- +goose StatementEnd

-- House accounts (owner 0) are the other side of user money and may be
-- negative; a user's never.
-- +goose StatementBegin
CREATE TRIGGER ledger_accounts_user_not_negative_insert BEFORE INSERT ON ledger_accounts
WHEN NEW.owner_id <> 0 AND NEW.balance < 0
BEGIN
    SELECT RAISE(ABORT, 'ledger: a user account cannot be negative');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_accounts_user_not_negative_update BEFORE UPDATE OF balance ON ledger_accounts
WHEN NEW.owner_id <> 0 AND NEW.balance < 0
BEGIN
    SELECT RAISE(ABORT, 'ledger: a user account cannot be negative');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER ledger_accounts_user_not_negative_update;
DROP TRIGGER ledger_accounts_user_not_negative_insert;
DROP TRIGGER ledger_accounts_balance_only;
DROP TRIGGER ledger_accounts_no_delete;
DROP TRIGGER ledger_transactions_no_delete;
DROP TRIGGER ledger_transactions_no_update;
DROP TRIGGER ledger_postings_no_delete;
DROP TRIGGER ledger_postings_no_update;

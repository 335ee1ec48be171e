-- +goose Up
-- The book is append-only (corrections are new transactions), and no user
-- account may be below zero. The ledger already keeps both rules; these
-- guards hold them against anything else that reaches the database with the
-- service's credentials. They bind every role but the tables' owner (who can
-- disable triggers): docs/decisions-hardening.md has the recommended roles.

-- +goose StatementBegin
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger: % on % refused: the book is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation',
              HINT = 'Post a correcting transaction instead.';
END
$$;
-- +goose StatementEnd

CREATE TRIGGER ledger_postings_append_only BEFORE UPDATE OR DELETE ON ledger_postings
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_postings_no_truncate BEFORE TRUNCATE ON ledger_postings
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- An account row is never removed, and only its balance moves. The WHEN
-- clause is evaluated without calling the function, so the ledger's balance
-- updates pay almost nothing for the guard.
CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_accounts_balance_only BEFORE UPDATE ON ledger_accounts
    FOR EACH ROW WHEN ((NEW.id, NEW.owner_id, NEW.name, NEW.currency, NEW.shard, NEW.may_go_negative, NEW.created_at)
        IS DISTINCT FROM (OLD.id, OLD.owner_id, OLD.name, OLD.currency, OLD.shard, OLD.may_go_negative, OLD.created_at))
    EXECUTE FUNCTION ledger_refuse_change();

-- House accounts (owner 0) are the other side of user money and may be
-- negative; a user's never.
ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_user_not_negative CHECK (owner_id = 0 OR balance >= 0);

-- +goose Down
ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_user_not_negative;
DROP TRIGGER ledger_accounts_balance_only ON ledger_accounts;
DROP TRIGGER ledger_accounts_no_truncate ON ledger_accounts;
DROP TRIGGER ledger_accounts_no_delete ON ledger_accounts;
DROP TRIGGER ledger_transactions_no_truncate ON ledger_transactions;
DROP TRIGGER ledger_transactions_append_only ON ledger_transactions;
DROP TRIGGER ledger_postings_no_truncate ON ledger_postings;
DROP TRIGGER ledger_postings_append_only ON ledger_postings;
DROP FUNCTION ledger_refuse_change();

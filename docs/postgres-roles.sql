-- Recommended PostgreSQL roles for production (docs/decisions-hardening.md,
-- "Append-only ledger"). The ledger's triggers bind every role except the
-- tables' owner, who may disable them: the service must not own its tables.
--
-- 1. Once, as a superuser:
--      CREATE ROLE comecomepay_owner LOGIN PASSWORD '…';
--      CREATE ROLE comecomepay_app   LOGIN PASSWORD '…';
--      CREATE DATABASE comecomepay OWNER comecomepay_owner;
-- 2. On every release, as comecomepay_owner: `comecomepay migrate`.
-- 3. Then, as comecomepay_owner, this file (idempotent):
--      psql "$OWNER_URL" -v ON_ERROR_STOP=1 -f docs/postgres-roles.sql
-- 4. `comecomepay serve` as comecomepay_app (its start-up migration step
--    finds nothing to apply and only reads the version tables).

GRANT USAGE ON SCHEMA public TO comecomepay_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO comecomepay_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO comecomepay_app;
ALTER DEFAULT PRIVILEGES FOR ROLE comecomepay_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO comecomepay_app;
ALTER DEFAULT PRIVILEGES FOR ROLE comecomepay_owner IN SCHEMA public
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO comecomepay_app;

-- The book: postings and transactions are only ever inserted; an account
-- row is inserted once and then only its balance changes.
REVOKE UPDATE, DELETE, TRUNCATE ON ledger_postings, ledger_transactions FROM comecomepay_app;
REVOKE UPDATE, DELETE, TRUNCATE ON ledger_accounts FROM comecomepay_app;
GRANT UPDATE (balance) ON ledger_accounts TO comecomepay_app;

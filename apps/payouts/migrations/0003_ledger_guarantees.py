"""The ledger's guarantees, in the database itself so that no code path (a bug, a shell, raw SQL) can skip them:

1. every journal entry's postings sum to zero per currency — a DEFERRABLE INITIALLY DEFERRED constraint trigger,
   checked at commit, so an entry and its postings can be inserted one row at a time inside a transaction;
2. every entry has at least two postings (checked at commit as well);
3. a posting's currency is its account's;
4. entries and postings are append-only: UPDATE and DELETE are refused (corrections are reversing entries).

Function and trigger names are unqualified: each tenant schema gets its own (django-tenants runs this migration
per schema with that schema first on the search path, and its schema cloning copies functions and triggers).
The functions name their tables through TG_TABLE_SCHEMA, never the search path: deferred checks may run at a
commit after the connection switched schemas.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION payouts_entry_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    EXECUTE format(
        'SELECT currency, sum(amount_minor) AS total FROM %I.payouts_posting WHERE entry_id = $1'
        ' GROUP BY currency HAVING sum(amount_minor) <> 0 LIMIT 1',
        TG_TABLE_SCHEMA
    ) INTO bad USING NEW.entry_id;
    IF bad.currency IS NOT NULL THEN
        RAISE EXCEPTION 'journal entry % does not balance in %: its postings sum to %',
            NEW.entry_id, bad.currency, bad.total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER payouts_posting_balanced
    AFTER INSERT ON payouts_posting
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payouts_entry_balanced();

CREATE OR REPLACE FUNCTION payouts_entry_has_postings() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    postings integer;
BEGIN
    EXECUTE format('SELECT count(*) FROM %I.payouts_posting WHERE entry_id = $1', TG_TABLE_SCHEMA)
        INTO postings USING NEW.id;
    IF postings < 2 THEN
        RAISE EXCEPTION 'journal entry % needs at least two postings', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER payouts_entry_has_postings
    AFTER INSERT ON payouts_journalentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payouts_entry_has_postings();

CREATE OR REPLACE FUNCTION payouts_posting_currency() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    account_currency text;
BEGIN
    EXECUTE format('SELECT currency FROM %I.payouts_ledgeraccount WHERE id = $1', TG_TABLE_SCHEMA)
        INTO account_currency USING NEW.account_id;
    IF NEW.currency IS DISTINCT FROM account_currency THEN
        RAISE EXCEPTION 'posting currency % differs from its account''s', NEW.currency
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER payouts_posting_currency
    BEFORE INSERT ON payouts_posting
    FOR EACH ROW EXECUTE FUNCTION payouts_posting_currency();

CREATE OR REPLACE FUNCTION payouts_ledger_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % on % refused (post a reversing entry instead)',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER payouts_journalentry_append_only
    BEFORE UPDATE OR DELETE ON payouts_journalentry
    FOR EACH ROW EXECUTE FUNCTION payouts_ledger_append_only();

CREATE TRIGGER payouts_posting_append_only
    BEFORE UPDATE OR DELETE ON payouts_posting
    FOR EACH ROW EXECUTE FUNCTION payouts_ledger_append_only();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS payouts_posting_append_only ON payouts_posting;
DROP TRIGGER IF EXISTS payouts_journalentry_append_only ON payouts_journalentry;
DROP FUNCTION IF EXISTS payouts_ledger_append_only();
DROP TRIGGER IF EXISTS payouts_posting_currency ON payouts_posting;
DROP FUNCTION IF EXISTS payouts_posting_currency();
DROP TRIGGER IF EXISTS payouts_entry_has_postings ON payouts_journalentry;
DROP FUNCTION IF EXISTS payouts_entry_has_postings();
DROP TRIGGER IF EXISTS payouts_posting_balanced ON payouts_posting;
DROP FUNCTION IF EXISTS payouts_entry_balanced();
"""


class Migration(migrations.Migration):
    dependencies = [("payouts", "0002_money")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]

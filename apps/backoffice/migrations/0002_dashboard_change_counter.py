"""A change counter PostgreSQL keeps for the tables the staff dashboard reads (apps/backoffice/dashboard_page.py).

Every INSERT, UPDATE, DELETE or TRUNCATE statement on one of them — whatever wrote it: a service, a queryset
update(), bulk_create, the admin, raw SQL — draws the next value of one sequence per network, after taking a shared
advisory lock held until its transaction ends. A statement-level trigger costs one call per statement, not per row;
nextval never waits for another transaction (a counter row UPDATEd by every writer would serialise them until
commit, and deadlock two writers that touch two watched tables in opposite orders). The sequence is the identity of
an empty table (never any rows), so the network's schema clone (apps/tenants/cloning.py) copies it, the function
and the triggers (no table COMMENT: the clone does not copy those).

The table names are the dashboard's as of this migration; tests/backoffice/test_dashboard_body_cache.py checks that
every table the dashboard reads has the trigger.
"""

from django.db import migrations

WATCHED_TABLES = (
    "accounts_user",
    "designers_designer",
    "orders_jobproblem",
    "orders_order",
    "orders_workitem",
    "payouts_transfer",
    "suppliers_assetowner",
    "suppliers_calendarexception",
    "suppliers_carrier",
    "suppliers_openinghours",
    "suppliers_resource",
)

# The advisory lock's key: (this class, the counter sequence's oid shifted into int4), in the two-int4 key space,
# which no bigint-keyed advisory lock (the matching lock) can collide with.
COUNTER = """
CREATE TABLE backoffice_change_counter (id bigint GENERATED ALWAYS AS IDENTITY);
CREATE FUNCTION backoffice_tables_changed() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
    counter regclass := format('%I.backoffice_change_counter_id_seq', TG_TABLE_SCHEMA)::regclass;
BEGIN
    -- The lock first: a reader that sees this statement's number knows the transaction is still open while the
    -- lock is held, and keeps nothing drawn before it commits.
    PERFORM pg_advisory_xact_lock_shared(7207001, (counter::oid::bigint - 2147483648)::int);
    PERFORM nextval(counter);
    RETURN NULL;
END
$body$;
"""

TRIGGER = (
    "CREATE TRIGGER backoffice_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
    "FOR EACH STATEMENT EXECUTE FUNCTION backoffice_tables_changed()"
)


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0001_network_export"),
        ("accounts", "0006_admin_log_without_token_keys"),
        ("designers", "0001_designers"),
        ("orders", "0011_order_line_designer_royalty"),
        ("payouts", "0013_designer_royalty_transfers_statements_ledger"),
        ("suppliers", "0006_status_change_designer"),
    ]

    operations = [
        migrations.RunSQL(
            COUNTER + ";\n".join(TRIGGER.format(table=table) for table in WATCHED_TABLES),
            reverse_sql=";\n".join(
                [f"DROP TRIGGER backoffice_changed ON {table}" for table in WATCHED_TABLES]
                + ["DROP FUNCTION backoffice_tables_changed()", "DROP TABLE backoffice_change_counter"]
            ),
        ),
    ]

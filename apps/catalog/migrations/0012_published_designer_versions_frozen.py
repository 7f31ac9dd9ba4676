"""The database's own guard on a designer's published versions (the services, the API and the admin refuse first):
a published, superseded or retired version of a designer's product never changes again — only its status moves
on (superseded, retired), and staff may hide it (`active`) or reorder it (`position`) — and its parameters,
derived values, constraints and routing steps are never added, changed or removed.

The network's own products are left to the services and the admin (staff tooling and fixtures adjust a
published version of the network's own in place, e.g. its margin); part templates are tuned in place by design.
The functions and triggers live in each network's schema and are cloned with the template schema."""

from django.db import migrations

FROZEN = "('published', 'superseded', 'retired')"
MAY_CHANGE = "ARRAY['status', 'updated_at', 'active', 'position']"
CHILD_TABLES = ("catalog_parameter", "catalog_derivedvalue", "catalog_constraint", "catalog_routingstep")

CREATE = f"""
CREATE OR REPLACE FUNCTION catalog_template_version_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.designer_id IS NOT NULL AND OLD.part_kind = '' AND OLD.status IN {FROZEN}
       AND (to_jsonb(NEW) - {MAY_CHANGE}) IS DISTINCT FROM (to_jsonb(OLD) - {MAY_CHANGE}) THEN
        RAISE EXCEPTION 'Version % of a designer''s product is %: published versions never change.',
            OLD.version, OLD.status USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION catalog_template_row_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY[NEW.template_id];
    ELSIF TG_OP = 'DELETE' THEN
        ids := ARRAY[OLD.template_id];
    ELSE
        ids := ARRAY[OLD.template_id, NEW.template_id];
    END IF;
    IF EXISTS (
        SELECT 1 FROM catalog_producttemplate t
        WHERE t.id = ANY(ids) AND t.designer_id IS NOT NULL AND t.part_kind = '' AND t.status IN {FROZEN}
    ) THEN
        RAISE EXCEPTION 'The rows of a designer''s published version never change.'
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER catalog_template_version_frozen BEFORE UPDATE ON catalog_producttemplate
    FOR EACH ROW EXECUTE FUNCTION catalog_template_version_frozen();
""" + "".join(
    f"""
CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION catalog_template_row_frozen();
"""
    for table in CHILD_TABLES
)

DROP = "".join(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table};\n" for table in CHILD_TABLES) + """
DROP TRIGGER IF EXISTS catalog_template_version_frozen ON catalog_producttemplate;
DROP FUNCTION IF EXISTS catalog_template_row_frozen();
DROP FUNCTION IF EXISTS catalog_template_version_frozen();
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0011_template_versions_and_review")]

    operations = [migrations.RunSQL(CREATE, DROP)]

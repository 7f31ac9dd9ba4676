"""Copying the template schema into a new network's schema in a time that does not grow with the fleet.

django-tenants' clone_schema reads the catalogs through information_schema views and `regnamespace::text`
comparisons that scan every schema's rows: at 200 networks one clone took 20 s and 2.3 GB in one backend. Here
every catalog read is keyed on the template's namespace, and the copy is plain DDL the catalogs already print
(pg_get_constraintdef, pg_get_indexdef, pg_get_triggerdef, pg_get_functiondef), sent in one round trip:

1. the schema and its functions; 2. each table as `CREATE TABLE … (LIKE template.table …)` with its defaults,
identity, NOT NULL and CHECK constraints; 3. the template's rows and its identity sequences' positions (same
sequence names); 4. primary keys, unique and exclusion constraints, the other indexes, all by their names;
5. foreign keys; 6. triggers.

A template holding something this copy does not reproduce (a view, an enum or domain, a standalone sequence, a
generated column, an expression naming the template schema) is copied by django-tenants' clone instead: slow but
complete. tests/tenants/test_provisioning.py compares pg_dump's view of a clone with the template's.
"""

import re

from django.db import connection
from django_tenants.clone import CloneSchema

_LIKE_OPTIONS = (
    "INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS "
    "INCLUDING COMPRESSION"
)

# Objects of the template this copy does not reproduce; any one of them sends the template to the slow clone.
_UNSUPPORTED = """
SELECT
  (SELECT count(*) FROM pg_class WHERE relnamespace = %(ns)s AND relkind NOT IN ('r', 'i', 'S'))
  + (SELECT count(*) FROM pg_type WHERE typnamespace = %(ns)s AND typtype NOT IN ('b', 'c'))
  + (SELECT count(*) FROM pg_proc WHERE pronamespace = %(ns)s AND prokind <> 'f')
  + (SELECT count(*) FROM pg_class s WHERE s.relnamespace = %(ns)s AND s.relkind = 'S' AND NOT EXISTS (
        SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.deptype = 'i'))
  + (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relnamespace = %(ns)s AND a.attgenerated <> '')
  + (SELECT count(*) FROM pg_attrdef ad JOIN pg_class c ON c.oid = ad.adrelid
        WHERE c.relnamespace = %(ns)s AND pg_get_expr(ad.adbin, ad.adrelid) LIKE %(qualified)s)
  + (SELECT count(*) FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
        WHERE c.relnamespace = %(ns)s AND con.contype = 'c' AND pg_get_constraintdef(con.oid) LIKE %(qualified)s)
  + (SELECT count(*) FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE c.relnamespace = %(ns)s)
  + (SELECT count(*) FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class WHERE c.relnamespace = %(ns)s)
"""


def schema_clone(source: str, target: str) -> None:
    """Creates schema `target` as a copy of `source` (tables, rows, sequences, indexes, constraints, functions,
    triggers) inside the caller's transaction. Both names are our own (the template, t_<subdomain>)."""
    with connection.cursor() as cursor:
        namespace = _namespace(cursor, source)
        if not _copies_fast(cursor, namespace, source):
            CloneSchema().clone_schema(source, target, "DATA")
            return
        statements = _clone_statements(cursor, namespace, source, target)
        cursor.execute(";\n".join(statements))
        _identity_sequences_align(cursor, namespace, target)


def schema_copies_fast(source: str) -> bool:
    """Whether schema_clone copies `source` itself (True for the template as our migrations build it)."""
    with connection.cursor() as cursor:
        return _copies_fast(cursor, _namespace(cursor, source), source)


def _namespace(cursor, schema: str) -> int:
    cursor.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", [schema])
    return cursor.fetchone()[0]


def _copies_fast(cursor, namespace: int, source: str) -> bool:
    cursor.execute(_UNSUPPORTED, {"ns": namespace, "qualified": f"%{source}.%"})
    return cursor.fetchone()[0] == 0


def _clone_statements(cursor, namespace: int, source: str, target: str) -> list[str]:
    src, dst = _quote(source), _quote(target)
    # The catalog prints a template object as `source.name` (it is not on the search path); the copy's is
    # `target.name`. Only that qualified form is rewritten, never a bare word.
    requalify = re.compile(rf'(?<![\w"]){re.escape(source)}\.')

    def moved(sql: str) -> str:
        return requalify.sub(f"{dst}.", sql)

    statements = [f"CREATE SCHEMA {dst}"]
    cursor.execute(
        "SELECT pg_get_functiondef(oid) FROM pg_proc WHERE pronamespace = %s ORDER BY proname", [namespace]
    )
    statements += [moved(row[0]) for row in cursor.fetchall()]

    cursor.execute(
        "SELECT relname FROM pg_class WHERE relnamespace = %s AND relkind = 'r' ORDER BY relname", [namespace]
    )
    tables = [_quote(row[0]) for row in cursor.fetchall()]
    statements += [f"CREATE TABLE {dst}.{table} (LIKE {src}.{table} {_LIKE_OPTIONS})" for table in tables]
    # Rows before indexes and foreign keys: one bulk build per index, nothing checked twice.
    statements += [
        f"INSERT INTO {dst}.{table} OVERRIDING SYSTEM VALUE SELECT * FROM {src}.{table}"  # noqa: S608 - quoted catalog names
        for table in tables
    ]

    cursor.execute(
        """SELECT rel.relname, con.conname, pg_get_constraintdef(con.oid)
        FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
        WHERE rel.relnamespace = %s AND con.contype IN ('p', 'u', 'x', 'f')
        ORDER BY con.contype = 'f', rel.relname, con.conname""",
        [namespace],
    )
    constraints = [
        f"ALTER TABLE {dst}.{_quote(table)} ADD CONSTRAINT {_quote(name)} {moved(definition)}"
        for table, name, definition in cursor.fetchall()
    ]
    cursor.execute(
        """SELECT pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
        WHERE c.relnamespace = %s AND NOT EXISTS (
            SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
            AND con.contype IN ('p', 'u', 'x'))
        ORDER BY 1""",
        [namespace],
    )
    indexes = [moved(row[0]) for row in cursor.fetchall()]
    foreign_keys = [sql for sql in constraints if " FOREIGN KEY " in sql]
    statements += [sql for sql in constraints if sql not in foreign_keys] + indexes + foreign_keys

    cursor.execute(
        """SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE c.relnamespace = %s AND NOT t.tgisinternal ORDER BY t.tgname""",
        [namespace],
    )
    statements += [moved(row[0]) for row in cursor.fetchall()]
    return statements


def _identity_sequences_align(cursor, namespace: int, target: str) -> None:
    """The copy's identity sequences get the template's names (a renamed table keeps its old sequence name, and
    LIKE would name the copy's after the new table) and options, and continue where the template's stand."""
    cursor.execute(
        """SELECT seq.relname, tbl.relname, att.attname, pg_sequence_last_value(seq.oid),
            format('AS %%s INCREMENT BY %%s MINVALUE %%s MAXVALUE %%s START WITH %%s CACHE %%s %%s',
                format_type(s.seqtypid, NULL), s.seqincrement, s.seqmin, s.seqmax, s.seqstart, s.seqcache,
                CASE WHEN s.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END)
        FROM pg_class seq JOIN pg_sequence s ON s.seqrelid = seq.oid
        JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = seq.oid AND d.deptype = 'i'
            AND d.refclassid = 'pg_class'::regclass
        JOIN pg_class tbl ON tbl.oid = d.refobjid
        JOIN pg_attribute att ON att.attrelid = tbl.oid AND att.attnum = d.refobjsubid
        WHERE seq.relnamespace = %s AND seq.relkind = 'S'""",
        [namespace],
    )
    template_sequences = cursor.fetchall()
    dst = _quote(target)
    cursor.execute(
        """SELECT t, c, pg_get_serial_sequence(%s || '.' || quote_ident(t), c)
        FROM unnest(%s::text[], %s::text[]) AS x(t, c)""",
        [dst, [row[1] for row in template_sequences], [row[2] for row in template_sequences]],
    )
    copies = {(table, column): qualified for table, column, qualified in cursor.fetchall()}
    statements = []
    for name, table, column, last_value, options in template_sequences:
        copy = copies[(table, column)]
        if copy != f"{dst}.{_quote(name)}" and copy != f"{target}.{name}":
            statements.append(f"ALTER SEQUENCE {copy} RENAME TO {_quote(name)}")
        # LIKE gives the copy's sequence the column's type and its range; the template's may differ (a column
        # altered from bigint to integer keeps its sequence's).
        statements.append(f"ALTER SEQUENCE {dst}.{_quote(name)} {options}")
        if last_value is not None:
            statements.append(f"SELECT setval('{dst}.{_quote(name)}', {int(last_value)}, true)")
    if statements:
        cursor.execute(";\n".join(statements))


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'

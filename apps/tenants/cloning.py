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
complete. tests/tenants/test_schema_clone.py compares pg_dump's view of a clone with the template's.
"""

import re
from dataclasses import dataclass

from django.db import connection
from django_tenants.clone import CloneSchema

_LIKE_OPTIONS = (
    "INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS "
    "INCLUDING COMPRESSION"
)

# The objects that belong to a schema, found through pg_depend's index on the referenced object: pg_class has no
# index on relnamespace, and scanning it (or joining pg_attribute to it) costs more with every network.
_MEMBERS = """
SELECT d.classid::regclass::text, d.objid, c.relkind, c.relname
FROM pg_depend d LEFT JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
WHERE d.refclassid = 'pg_namespace'::regclass AND d.refobjid = %s AND d.deptype = 'n'
"""

# Objects of the template this copy does not reproduce; any one of them sends the template to the slow clone.
# Every read is by an indexed oid of the template's own objects.
_UNSUPPORTED = """
SELECT
  (SELECT count(*) FROM pg_proc WHERE oid = ANY(%(procs)s) AND prokind <> 'f')
  + (SELECT count(*) FROM unnest(%(sequences)s::oid[]) AS s(oid) WHERE NOT EXISTS (
        SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.deptype = 'i'))
  + (SELECT count(*) FROM pg_attribute WHERE attrelid = ANY(%(tables)s) AND attgenerated <> '')
  + (SELECT count(*) FROM pg_attrdef WHERE adrelid = ANY(%(tables)s)
        AND pg_get_expr(adbin, adrelid) LIKE %(qualified)s)
  + (SELECT count(*) FROM pg_constraint WHERE conrelid = ANY(%(tables)s) AND contype = 'c'
        AND pg_get_constraintdef(oid) LIKE %(qualified)s)
  + (SELECT count(*) FROM pg_policy WHERE polrelid = ANY(%(tables)s))
  + (SELECT count(*) FROM pg_rewrite WHERE ev_class = ANY(%(tables)s))
"""


@dataclass(frozen=True)
class _Template:
    name: str
    tables: dict[int, str]  # oid -> name
    sequences: list[int]
    procs: list[int]
    others: (
        int  # relations other than tables and sequences (views, …) and types of its own (enums, domains, …)
    )


def schema_clone(source: str, target: str) -> None:
    """Creates schema `target` as a copy of `source` (tables, rows, sequences, indexes, constraints, functions,
    triggers) inside the caller's transaction. Both names are our own (the template, t_<subdomain>)."""
    with connection.cursor() as cursor:
        template = _template(cursor, source)
        if not _copies_fast(cursor, template):
            CloneSchema().clone_schema(source, target, "DATA")
            return
        statements = _clone_statements(cursor, template, target)
        cursor.execute(";\n".join(statements))
        _identity_sequences_align(cursor, template, target)


def schema_copies_fast(source: str) -> bool:
    """Whether schema_clone copies `source` itself (True for the template as our migrations build it)."""
    with connection.cursor() as cursor:
        return _copies_fast(cursor, _template(cursor, source))


def _template(cursor, schema: str) -> _Template:
    cursor.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", [schema])
    cursor.execute(_MEMBERS, [cursor.fetchone()[0]])
    tables, sequences, procs, others = {}, [], [], 0
    for catalog, oid, relkind, relname in cursor.fetchall():
        if catalog == "pg_class" and relkind == "r":
            tables[oid] = relname
        elif catalog == "pg_class" and relkind == "S":
            sequences.append(oid)
        elif catalog == "pg_proc":
            procs.append(oid)
        else:
            others += 1
    return _Template(name=schema, tables=tables, sequences=sequences, procs=procs, others=others)


def _copies_fast(cursor, template: _Template) -> bool:
    if template.others:
        return False
    params = {
        "tables": list(template.tables),
        "sequences": template.sequences,
        "procs": template.procs,
        "qualified": f"%{template.name}.%",
    }
    cursor.execute(_UNSUPPORTED, params)
    return cursor.fetchone()[0] == 0


def _clone_statements(cursor, template: _Template, target: str) -> list[str]:
    src, dst = _quote(template.name), _quote(target)
    # The catalog prints a template object as `source.name` (it is not on the search path); the copy's is
    # `target.name`. Only that qualified form is rewritten, never a bare word.
    requalify = re.compile(rf'(?<![\w"]){re.escape(template.name)}\.')
    table_oids = list(template.tables)

    def moved(sql: str) -> str:
        return requalify.sub(f"{dst}.", sql)

    statements = [f"CREATE SCHEMA {dst}"]
    cursor.execute(
        "SELECT pg_get_functiondef(oid) FROM pg_proc WHERE oid = ANY(%s) ORDER BY proname", [template.procs]
    )
    statements += [moved(row[0]) for row in cursor.fetchall()]

    tables = [_quote(name) for name in sorted(template.tables.values())]
    statements += [f"CREATE TABLE {dst}.{table} (LIKE {src}.{table} {_LIKE_OPTIONS})" for table in tables]
    # Rows before indexes and foreign keys: one bulk build per index, nothing checked twice.
    statements += [
        f"INSERT INTO {dst}.{table} OVERRIDING SYSTEM VALUE SELECT * FROM {src}.{table}"  # noqa: S608 - quoted catalog names
        for table in tables
    ]

    cursor.execute(
        """SELECT conrelid, conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid = ANY(%s) AND contype IN ('p', 'u', 'x', 'f')
        ORDER BY contype = 'f', conrelid, conname""",
        [table_oids],
    )
    constraints = [
        f"ALTER TABLE {dst}.{_quote(template.tables[table])} ADD CONSTRAINT {_quote(name)} {moved(definition)}"
        for table, name, definition in cursor.fetchall()
    ]
    cursor.execute(
        """SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
        WHERE i.indrelid = ANY(%s) AND NOT EXISTS (
            SELECT 1 FROM pg_constraint con WHERE con.conrelid = i.indrelid AND con.conindid = i.indexrelid
            AND con.contype IN ('p', 'u', 'x'))
        ORDER BY 1""",
        [table_oids],
    )
    indexes = [moved(row[0]) for row in cursor.fetchall()]
    foreign_keys = [sql for sql in constraints if " FOREIGN KEY " in sql]
    statements += [sql for sql in constraints if sql not in foreign_keys] + indexes + foreign_keys

    cursor.execute(
        "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = ANY(%s) AND NOT tgisinternal ORDER BY tgname",
        [table_oids],
    )
    statements += [moved(row[0]) for row in cursor.fetchall()]
    return statements


def _identity_sequences_align(cursor, template: _Template, target: str) -> None:
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
        WHERE seq.oid = ANY(%s)""",
        [template.sequences],
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

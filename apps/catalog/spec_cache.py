"""A template's definition — its parameters, derived values, constraints and routing steps with their processes
— as frozen spec data, kept in this process between requests and keyed by the definition's own content.

Building it costs a page four queries and a few hundred model instances (the configurator's largest cost after
rendering). A published version's number or id is not a safe key: a designer's published version never changes
(database triggers, migration 0012), but the network's own products are changed in place by fixtures, the demo
seed and queryset `update()`s (only the admin and the services refuse), and a process's materials and size
limits, which every step's spec carries, are edited in place in the admin for every template that uses it.

So the statement that reads the template also asks PostgreSQL for a fingerprint of those rows
(`definition_fingerprint`): the SHA-256 of the SHA-256 of each row's text (a step's together with its process's
row), by table and id. Any change to any column of any of them, by whatever path, is a new fingerprint and so a
new key: nothing has to be invalidated, and an entry of an older definition is simply never asked for again
(the least recently used entries go first). On a miss the rows are read with the same per-row hashes and the
entry is filed under the fingerprint of the rows actually read, so an edit landing between the two statements
cannot file new rows under the old fingerprint.

Keys carry the network's schema and the template's id besides the fingerprint: one network never reads another's
entry. The entries are immutable (frozen dataclasses and tuples), so requests share them without copying.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import connection
from django.db.models import Model
from django.db.models.expressions import RawSQL

from apps.catalog.models import Constraint, DerivedValue, Parameter, ProductTemplate, RoutingStep
from apps.catalog.spec import (
    ConstraintSpec,
    DerivedSpec,
    OptionSpec,
    ParameterKind,
    ParameterSpec,
    ProcessSpec,
    StepSpec,
)
from apps.core.fragments import sha256_hex_sql, table_sql
from apps.processes.models import Process

MAX_ENTRIES = 512  # template versions × networks kept per process; a definition is a few kB
FINGERPRINT = "definition_fingerprint"  # the annotation template_get_active reads


@dataclass(frozen=True)
class SpecParts:
    """Everything of a TemplateSpec that comes from the template's child rows (the rest is the template's row)."""

    parameters: tuple[ParameterSpec, ...]
    derived: tuple[DerivedSpec, ...]
    constraints: tuple[ConstraintSpec, ...]
    steps: tuple[StepSpec, ...]


_entries: OrderedDict[tuple, SpecParts] = OrderedDict()
_lock = threading.Lock()


def parameter_spec_from(parameter: Parameter) -> ParameterSpec:
    kind = ParameterKind(parameter.kind)
    default: Decimal | str | None = parameter.default
    if kind == ParameterKind.NUMBER:
        try:
            default = Decimal(parameter.default.strip()) if parameter.default.strip() else None
        except InvalidOperation:
            default = None
    options = tuple(
        OptionSpec(
            value=str(option.get("value", "")),
            label=str(option.get("label") or option.get("value", "")),
            attributes=tuple((option.get("attributes") or {}).items()),
        )
        for option in (parameter.options if isinstance(parameter.options, list) else [])
        if isinstance(option, dict)
    )
    return ParameterSpec(
        key=parameter.key,
        label=parameter.label,
        kind=kind,
        required=parameter.required,
        help_text=parameter.help_text,
        unit=parameter.unit,
        min_value=parameter.min_value,
        max_value=parameter.max_value,
        step=parameter.step,
        default=default,
        max_length=parameter.max_length,
        options=options,
    )


def step_spec_from(step: RoutingStep) -> StepSpec:
    process = step.process
    return StepSpec(
        key=step.key,
        name=step.name,
        process=ProcessSpec(
            code=process.code,
            name=process.name,
            materials=tuple(process.materials or ()),
            max_size_mm=(process.max_length_mm, process.max_width_mm, process.max_height_mm),
        ),
        duration_minutes=step.duration_minutes,
        quantity=step.quantity or "1",
        predecessors=step.predecessor_keys,
        condition=step.condition,
        material=step.material,
        length_mm=step.length_mm,
        width_mm=step.width_mm,
        height_mm=step.height_mm,
        cost_drivers=tuple((step.cost_drivers or {}).items()) if isinstance(step.cost_drivers, dict) else (),
        material_drivers=step.material_driver_names,
    )


def spec_parts_from(
    parameters: Iterable[Parameter],
    derived: Iterable[DerivedValue],
    constraints: Iterable[Constraint],
    steps: Iterable[RoutingStep],
) -> SpecParts:
    """The parts of rows already read (in their order: position, id), e.g. prefetched with the template."""
    return SpecParts(
        parameters=tuple(parameter_spec_from(p) for p in parameters),
        derived=tuple(DerivedSpec(key=d.key, formula=d.formula) for d in derived),
        constraints=tuple(ConstraintSpec(expression=c.expression, message=c.message) for c in constraints),
        steps=tuple(step_spec_from(s) for s in steps),
    )


# --- the fingerprint: computed by PostgreSQL on the page's path, by Python from the rows read on a miss ---------

# (section tag, the child model, extra table hashed with each row and how it is joined)
_SECTIONS: tuple[tuple[str, type[Model], type[Model] | None], ...] = (
    ("p", Parameter, None),
    ("d", DerivedValue, None),
    ("c", Constraint, None),
    ("s", RoutingStep, Process),
)


def _row_text_sql(row: str, joined: str | None) -> str:
    return f"{row}::text || {joined}::text" if joined else f"{row}::text"


def definition_fingerprint() -> RawSQL:
    """An annotation for a query of ProductTemplate itself (its table not aliased, as in any top-level query):
    the fingerprint of each template's child rows, equal to `_fingerprint` of the same rows."""
    template = f"{table_sql(ProductTemplate)}.{connection.ops.quote_name('id')}"
    sections = []
    for tag, model, joined in _SECTIONS:
        join = f" JOIN {table_sql(joined)} j ON j.id = r.process_id" if joined else ""
        row_hash = sha256_hex_sql(_row_text_sql("r", "j" if joined else None))
        sections.append(
            f"'{tag}:' || coalesce((SELECT string_agg({row_hash}, ',' ORDER BY r.id) "  # noqa: S608 - our tables' names only
            f"FROM {table_sql(model)} r{join} WHERE r.template_id = {template}), '')"
        )
    return RawSQL(sha256_hex_sql(" || '|' || ".join(sections)), ())  # noqa: S611 - no input in it


def _fingerprint(row_hashes: dict[str, list[tuple[int, str]]]) -> str:
    text = "|".join(f"{tag}:" + ",".join(h for _, h in sorted(row_hashes[tag])) for tag, _, _ in _SECTIONS)
    return hashlib.sha256(text.encode()).hexdigest()


def _read(template_id: int) -> tuple[str, SpecParts]:
    """The template's child rows, each with its hash as the fingerprint hashes it: (their fingerprint, parts)."""
    rows: dict[str, list] = {}
    for tag, model, joined in _SECTIONS:
        rows_of_template = model.objects.filter(template_id=template_id).order_by("position", "id")
        if joined is not None:
            rows_of_template = rows_of_template.select_related("process")
        row_text = _row_text_sql(table_sql(model), table_sql(joined) if joined else None)
        row_hash = RawSQL(sha256_hex_sql(row_text), ())  # noqa: S611 - our tables' names only
        rows[tag] = list(rows_of_template.annotate(row_hash=row_hash))
    hashes = {tag: [(row.pk, row.row_hash) for row in tagged] for tag, tagged in rows.items()}
    return _fingerprint(hashes), spec_parts_from(rows["p"], rows["d"], rows["c"], rows["s"])


def spec_parts_cached(template: ProductTemplate) -> SpecParts:
    """The parts of `template`, read with its `definition_fingerprint` annotation: from this process's entry
    for that fingerprint, else read from the database and kept."""
    fingerprint = getattr(template, FINGERPRINT)
    key = (connection.schema_name, template.pk, fingerprint)
    with _lock:
        parts = _entries.get(key)
        if parts is not None:
            _entries.move_to_end(key)
            return parts
    read_fingerprint, parts = _read(template.pk)
    with _lock:
        _entries[(connection.schema_name, template.pk, read_fingerprint)] = parts
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return parts

"""What a version changes against another (the reviewer's diff): product fields, then each row of parameters,
derived values, constraints and routing steps matched by its key (constraints by their expression).

Product fields are compared generically (every concrete field but the version's bookkeeping), so a field added to
ProductTemplate later (a royalty, say) shows in the diff without touching this module.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal

from apps.catalog.models import ProductTemplate
from apps.catalog.selectors import template_spec_for

# A version's bookkeeping, not its content: never part of the diff.
_NOT_CONTENT = frozenset(
    {
        "id",
        "family",
        "version",
        "status",
        "submission_note",
        "review_notes",
        "submitted_at",
        "submitted_by",
        "reviewed_at",
        "reviewed_by",
        "created_at",
        "updated_at",
    }
)
ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass(frozen=True)
class Change:
    section: str  # "product", "parameters", "derived", "constraints" or "steps"
    key: str  # the row's key ("" for the product itself)
    kind: str  # ADDED, REMOVED or CHANGED
    field: str = ""  # for CHANGED: which field
    before: str = ""
    after: str = ""


def _product_fields(template: ProductTemplate) -> dict[str, str]:
    return {
        field.name: str(getattr(template, field.attname))
        for field in ProductTemplate._meta.concrete_fields
        if field.name not in _NOT_CONTENT
    }


def _rows(template: ProductTemplate) -> dict[str, dict[str, dict[str, str]]]:
    spec = template_spec_for(template)

    def flat(row) -> dict[str, str]:
        data = asdict(row)
        if "process" in data:
            data["process"] = data["process"]["code"]
        return {name: _text(value) for name, value in data.items()}

    return {
        "parameters": {p.key: flat(p) for p in spec.parameters},
        "derived": {d.key: flat(d) for d in spec.derived},
        "constraints": {c.expression: flat(c) for c in spec.constraints},
        "steps": {s.key: flat(s) for s in spec.steps},
    }


def _text(value) -> str:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"  # 120, not 120.0000
    if isinstance(value, list | tuple):
        return ", ".join(_text(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_text(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def template_diff(before: ProductTemplate | None, after: ProductTemplate) -> list[Change]:
    """The changes from `before` (the published version; None for a first version) to `after`."""
    if before is None:
        return [Change("product", "", ADDED)]
    changes: list[Change] = []
    old, new = _product_fields(before), _product_fields(after)
    changes += [
        Change("product", "", CHANGED, name, old[name], new[name])
        for name in new
        if old.get(name) != new[name]
    ]
    old_rows, new_rows = _rows(before), _rows(after)
    for section, rows in new_rows.items():
        previous = old_rows[section]
        for key, fields in rows.items():
            if key not in previous:
                changes.append(Change(section, key, ADDED))
                continue
            changes += [
                Change(section, key, CHANGED, name, previous[key].get(name, ""), value)
                for name, value in fields.items()
                if previous[key].get(name, "") != value
            ]
        changes += [Change(section, key, REMOVED) for key in previous if key not in rows]
    return changes

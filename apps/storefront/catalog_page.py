"""The catalogue page as a body kept in the cache under a fingerprint of the catalogue's rows.

What the page shows (the products, the category and designer filters) is drawn from the catalogue — the active,
published product templates that are not upload parts (catalog.selectors._catalogue) — and their designers' names,
slugs and states. One statement asks PostgreSQL for a SHA-256 fingerprint of exactly those rows: a product that
enters or leaves the catalogue, or any change to one in it or to its designer, by whatever path, is a new key.
"""

from __future__ import annotations

from functools import cache

from apps.catalog.models import ProductTemplate
from apps.catalog.selectors import template_list_active
from apps.core.fragments import fingerprint_select, rows_fingerprint_sql, table_sql
from apps.designers.models import Designer


@cache
def _fingerprint_statement() -> tuple[str, tuple]:
    """Compiled once per process: which rows are the catalogue is template_list_active's rule (the SQL names no
    schema: each network's connection resolves it on its own search_path)."""
    catalogue, params = template_list_active().values("pk").query.sql_with_params()
    fingerprint = rows_fingerprint_sql(
        [
            (
                "ROW(r.*, d.name, d.slug, d.status)::text",
                f"FROM {table_sql(ProductTemplate)} r LEFT JOIN {table_sql(Designer)} d ON d.id = r.designer_id "
                f"WHERE r.id IN ({catalogue})",
                "r.id",
            )
        ]
    )
    return f"SELECT {fingerprint}", tuple(params)


def catalog_fingerprint() -> str:
    """One statement: the fingerprint of every product in the catalogue with its designer."""
    return fingerprint_select(*_fingerprint_statement())

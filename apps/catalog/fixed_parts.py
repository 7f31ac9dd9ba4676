"""The checks of a product whose part is fixed (a designer's CAD product, ProductTemplate.part_upload) before it is
submitted or published: the part must be analysed, makeable and offered with at least one option.

Those checks read the upload and the network's offer (apps.uploads), which the catalog may not import (it sits
below them), so apps.uploads registers them here from its ready(). Until then every such product has an issue:
nothing is published unchecked (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable

from apps.catalog.models import ProductTemplate
from apps.catalog.selectors import template_spec_for
from apps.catalog.template_checks import TEMPLATE, Issue, template_check

FixedPartCheck = Callable[[ProductTemplate], list[Issue]]
_check: FixedPartCheck | None = None


def fixed_part_check_register(check: FixedPartCheck) -> None:
    global _check
    if _check is not None and _check is not check:
        raise ValueError("The check of fixed-part products is already registered.")
    _check = check


def template_issues(template: ProductTemplate) -> list[Issue]:
    """What stops `template` from being submitted or published: its part's checks for a CAD product, else the
    template's own checks (parameters, formulas, routing)."""
    if template.is_cad_product:
        if _check is None:
            return [Issue(TEMPLATE, -1, "", "The part of this product cannot be checked right now.")]
        return _check(template)
    return template_check(template_spec_for(template))

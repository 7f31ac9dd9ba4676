"""A product whose part is fixed (a designer's CAD product, ProductTemplate.part_upload): its checks before it is
submitted or published (the part must be analysed, makeable and offered with at least one option), and how the
catalog's customer API describes, validates and saves a customer's options for it (`FixedPartOptions`).

Both read the upload and the network's offer (apps.uploads), which the catalog may not import (it sits below
them), so apps.uploads registers them here from its ready(). Until then every such product has an issue (nothing
is published unchecked) and its options cannot be chosen (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from apps.catalog.models import DesignVersion, ProductTemplate
from apps.catalog.selectors import template_spec_for
from apps.catalog.template_checks import TEMPLATE, Issue, template_check
from apps.catalog.validation import ValidConfiguration
from apps.core.errors import Conflict

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


@dataclass(frozen=True)
class FixedPartOptions:
    """What the customer API asks of a fixed-part product (apps/uploads/products.py answers): the JSON Schema of
    its options and the first choice; a customer's values checked and compiled (InvalidConfiguration: 400 keyed
    by option under "values"); and those values saved as a version of the customer's design of it."""

    # Each called with keywords: schema(template=), defaults(template=) (None: nothing offered),
    # configuration(template=, values=), design_save(actor=, template=, values=, name=, design=None, new=False).
    schema: Callable[..., dict]
    defaults: Callable[..., dict | None]
    configuration: Callable[..., ValidConfiguration]
    design_save: Callable[..., DesignVersion]


class FixedPartOptionsUnavailable(Conflict):
    code = "unavailable"


_options: FixedPartOptions | None = None


def fixed_part_options_register(options: FixedPartOptions) -> None:
    global _options
    if _options is not None and _options != options:
        raise ValueError("The options of fixed-part products are already registered.")
    _options = options


def fixed_part_options() -> FixedPartOptions:
    if _options is None:
        raise FixedPartOptionsUnavailable("This product's options cannot be chosen right now.")
    return _options

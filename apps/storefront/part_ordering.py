"""The options-and-quote panel of a part made from a CAD file: the options form (built from what the network offers,
narrowed for a designer's product), the compiled part, the network's quote with its price breaks, or why it cannot
be made. The customer's own part page (views/uploads.py), a designer's CAD product page (views/cad_products.py)
and the studio's preview of it (as customers will see it) build it here, each with its own compile step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from apps.catalog.models import ProductTemplate
from apps.core.errors import Conflict
from apps.matching.makeable import DesignUnmakeable
from apps.orders.services import cart_line_add
from apps.storefront.forms_uploads import PartOptionsForm
from apps.storefront.part_quoting import part_quote
from apps.storefront.throttles import quote_limit_wait
from apps.uploads.designs import CompiledPart, InvalidPartOptions, PartNotReady, PartUnmakeable


def cad_product_quote_parameters(template: ProductTemplate) -> dict:
    """What a designer's CAD product's quote records of the product, on its page and in the quotes API alike."""
    return {"template": template.slug, "version": template.version}


def initial_of(values: Mapping) -> dict:
    """Stored option values as the form's fields show them (a 2.0 mm sheet is offered as "2")."""
    return {
        key: (f"{value:g}" if isinstance(value, float) else value if isinstance(value, bool) else str(value))
        for key, value in values.items()
    }


def add_option_errors(form: PartOptionsForm, error: InvalidPartOptions) -> None:
    for field, messages_ in error.errors.items():
        target = field if field in form.fields else None
        for message in messages_:
            form.add_error(target, message)


def options_quote_context(
    request,
    *,
    choices: dict,
    initial: Mapping | None,
    data,
    compile_part: Callable[[Mapping], CompiledPart],
    template_for: Callable[[CompiledPart], ProductTemplate],
    parameters: dict,
) -> dict:
    """The options form (bound to `data`, else `initial` and one piece) and, when the options are fine, the quote
    with its price breaks; or the network's findings, or the matching's refusal."""
    if not choices["processes"]:
        return {"options_form": None}
    if data is None:
        form = PartOptionsForm(choices, data={**initial_of(initial or {}), "quantity": "1"})
    else:
        form = PartOptionsForm(choices, data=data)
    context = {
        "options_form": form,
        "quote": None,
        "quote_wait": "",
        "price_breaks": (),
        "network_findings": (),
    }
    if not form.is_valid():
        return context
    try:
        compiled = compile_part(form.options)
    except InvalidPartOptions as error:
        add_option_errors(form, error)
        return context
    except PartUnmakeable as error:
        context["network_findings"] = error.findings
        return context
    context["compiled"] = compiled
    if wait := quote_limit_wait(request):
        context["quote_wait"] = wait
        return context
    try:
        quote, breaks = part_quote(
            template=template_for(compiled),
            operations=compiled.operations,
            values=compiled.options,
            tenant=request.tenant,
            quantity=form.cleaned_data["quantity"],
            parameters={**parameters, "options": compiled.options},
        )
    except DesignUnmakeable as error:
        context["quote_refusal"] = error.reasons
        return context
    context.update(quote=quote, price_breaks=breaks)
    return context


def part_cart_add(request, form: PartOptionsForm, *, name: str, design_save: Callable):
    """Saves the chosen options as a design version (`design_save(options)`: the customer's own part or a
    designer's product) and puts it in the cart; the redirect to the cart, or None when it was refused (the form
    then carries why, next to the option at fault)."""
    try:
        version = design_save(form.options)
        cart_line_add(customer=request.user, design_version=version, quantity=form.cleaned_data["quantity"])
    except InvalidPartOptions as error:
        add_option_errors(form, error)
        return None
    except (PartUnmakeable, PartNotReady, DesignUnmakeable, Conflict, ValidationError) as error:
        form.add_error(None, " ".join(getattr(error, "messages", None) or [str(error)]))
        return None
    messages.success(request, f"{name} is in your cart.")
    if request.htmx:
        return HttpResponseClientRedirect(reverse("storefront:cart"))
    return redirect("storefront:cart")

"""The designer's royalty is part of the customer's price: added on top of the network's price in the cart's
quote (every option, every line), kept on the order line, and named in the configurator's breakdown."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from apps.catalog.models import ProductTemplate
from apps.catalog.royalty import RoyaltyTerms, royalty_for_line
from apps.orders.quotes import QuoteRequestLine
from apps.storefront.order_quoting import quote_order
from tests.designers.factories import make_designer
from tests.matching.builders import design_version, full_workshop, haulier

NEARBY = (51.45, 5.48)


def _quote(*versions_and_quantities):
    lines = [QuoteRequestLine(design_version_id=v.pk, quantity=q) for v, q in versions_and_quantities]
    return quote_order(lines=lines, destination=NEARBY, requested_date=None)


def _set_royalty(version, **terms):
    """Makes the version's product a designer's, with these royalty terms."""
    template = version.design.template
    designer = template.designer or make_designer(f"Studio {template.pk}")
    ProductTemplate.objects.filter(pk=template.pk).update(designer=designer, **terms)
    template.refresh_from_db()


@pytest.fixture
def network(in_tenant_a):
    haulier()
    full_workshop("Solo")


def test_a_percentage_royalty_is_added_to_every_option_and_kept_per_line(in_tenant_a, network, customer):
    version = design_version(customer)
    plain = _quote((version, 2))
    _set_royalty(version, royalty_kind="percent", royalty_bp=1_250)
    cache.clear()  # the same question: a fresh quote must still carry the royalty (it is added after the cache)
    with_royalty = _quote((version, 2))
    again = _quote((version, 2))  # served from the cache: the royalty is added again, never stored in it
    making = plain.lines[0].total_minor
    royalty = royalty_for_line(terms=RoyaltyTerms("percent", 1_250), making_minor=making, quantity=2)
    assert abs(royalty - making * 0.125) < 1
    assert with_royalty.lines[0].royalty_minor == royalty
    assert with_royalty.total_minor == plain.total_minor + royalty
    assert again.total_minor == with_royalty.total_minor
    for plain_option, option in zip(plain.options, with_royalty.options, strict=True):
        assert abs(option.line_royalties[0] - plain_option.line_totals[0] * 0.125) < 1
        assert option.total_minor == plain_option.total_minor + option.line_royalties[0]
        chosen = with_royalty.choose(option.kind)
        assert chosen.lines[0].royalty_minor == option.line_royalties[0]
        assert chosen.total_minor == sum(line.total_minor for line in chosen.lines)


def test_a_fixed_royalty_is_per_unit_and_only_on_its_own_line(in_tenant_a, network, customer):
    designed, plain_version = design_version(customer), design_version(customer, length=1200)
    before = _quote((designed, 3), (plain_version, 1))
    _set_royalty(designed, royalty_kind="fixed", royalty_minor=400)
    after = _quote((designed, 3), (plain_version, 1))
    # both versions share one template in the builders: a line's royalty follows its own quantity
    assert [line.royalty_minor for line in after.lines] == [1_200, 400]
    assert after.total_minor == before.total_minor + 1_600


def test_the_configurator_breakdown_names_the_royalty(in_tenant_a, network, customer, client_a):
    from apps.matching.quoting import quote_design_version

    version = design_version(customer)
    _set_royalty(version, royalty_kind="fixed", royalty_minor=300)
    quote = quote_design_version(design_version=version, tenant=in_tenant_a, quantity=2)
    assert quote.royalty_minor == 600
    from django.template.loader import render_to_string

    html = render_to_string("storefront/_quote.html", {"quote": quote})
    assert "Designer&#x27;s royalty" in html or "Designer's royalty" in html
    assert "€6.00" in html


def test_a_royalty_above_a_tighter_policy_is_sold_at_the_new_bound(in_tenant_a, network, customer):
    from apps.payouts.profit_share.policies import profit_share_policy_publish

    version = design_version(customer)
    _set_royalty(version, royalty_kind="fixed", royalty_minor=900)
    assert _quote((version, 2)).lines[0].royalty_minor == 1_800
    profit_share_policy_publish(
        method="proportional",
        platform_surplus_bp=2_000,
        min_platform_fee_minor=0,
        fee_bearer="platform",
        designer_royalty_max_minor=500,
    )
    assert _quote((version, 2)).lines[0].royalty_minor == 1_000


def test_the_networks_own_product_carries_no_royalty(in_tenant_a, network, customer):
    """A royalty needs a designer to receive it: on a product without one the customer is never charged it."""
    version = design_version(customer)
    plain = _quote((version, 2))
    ProductTemplate.objects.filter(pk=version.design.template_id).update(
        royalty_kind="fixed", royalty_minor=300
    )
    cache.clear()
    quote = _quote((version, 2))
    assert quote.lines[0].royalty_minor == 0
    assert quote.total_minor == plain.total_minor
    template = ProductTemplate.objects.get(pk=version.design.template_id)
    with pytest.raises(ValidationError) as refused:
        template.clean()
    assert "royalty_kind" in refused.value.message_dict

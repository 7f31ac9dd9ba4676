"""Designers' royalties in the pure profit-share rule: paid in full off the top, no surplus, no Stripe fee, and
still every minor unit accounted for exactly once; refunds take them back pro rata."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from apps.payouts.profit_share.rule import (
    EQUAL,
    FEE_PARTICIPANTS,
    FEE_PLATFORM,
    PLATFORM,
    PROPORTIONAL,
    REFUND_FEE_PARTICIPANTS,
    REFUND_FEE_PRO_RATA,
    REFUND_PLATFORM_FIRST,
    REFUND_PRO_RATA,
    Holder,
    Part,
    Policy,
    SplitError,
    SplitInput,
    refund_fee_split,
    refund_split,
    split,
)

policies = st.builds(
    Policy,
    method=st.sampled_from([PROPORTIONAL, EQUAL]),
    platform_surplus_bp=st.integers(0, 10_000),
    min_platform_fee_minor=st.integers(0, 5_000),
    fee_bearer=st.sampled_from([FEE_PLATFORM, FEE_PARTICIPANTS]),
    refund_mode=st.sampled_from([REFUND_PRO_RATA, REFUND_PLATFORM_FIRST]),
    version=st.integers(1, 50),
)


@st.composite
def inputs_with_royalties(draw, covered=True):
    """Work parts (possibly none) and one to three royalty lines; `covered`: the payment covers the royalties
    (what the storefront sells), else anything."""
    work = tuple(
        Part(
            key=f"work_item:{index}",
            participant=f"asset_owner:{draw(st.integers(1, 3))}",
            cost_minor=draw(st.integers(0, 200_000)),
        )
        for index in range(draw(st.integers(0, 6)))
    )
    royalties = tuple(
        Part(
            key=f"line:{index}",
            participant=f"designer:{draw(st.integers(1, 2))}",
            cost_minor=draw(st.integers(0, 50_000)),
            royalty=True,
        )
        for index in range(draw(st.integers(1, 3)))
    )
    royalty_total = sum(part.cost_minor for part in royalties)
    paid = draw(st.integers(royalty_total if covered else 0, royalty_total + 600_000))
    fee = draw(st.integers(0, paid))
    parts = draw(st.permutations((*work, *royalties)))
    return SplitInput(paid, fee, draw(st.sampled_from(["EUR", "JPY", "KWD"])), tuple(parts), draw(policies))


@settings(max_examples=500, deadline=None)
@given(inputs_with_royalties(covered=False))
def test_parts_royalties_commission_and_fee_add_up_to_the_cent_for_any_amounts(data):
    result = split(data)
    assert (
        sum(part.amount_minor for part in result.parts)
        + result.platform_commission_minor
        + result.stripe_fee_minor
        == data.paid_minor
    )
    assert all(part.amount_minor >= 0 for part in result.parts)
    assert {part.key for part in result.parts} == {part.key for part in data.parts}


@settings(max_examples=500, deadline=None)
@given(inputs_with_royalties())
def test_a_covered_royalty_is_paid_exactly_whatever_the_policy(data):
    result = split(data)
    for part in data.parts:
        if part.royalty:
            share = result.part(part.key)
            assert share.amount_minor == part.cost_minor
            assert share.fee_share_minor == 0 and share.surplus_share_minor == 0
    assert result.royalty_minor == sum(part.cost_minor for part in data.parts if part.royalty)


@settings(max_examples=300, deadline=None)
@given(inputs_with_royalties())
def test_the_work_is_split_as_if_the_royalties_were_never_paid(data):
    """The platform's percentage and minimum fee, the surplus and Stripe's fee apply to the rest of the payment
    exactly as they did before designers existed: the royalty changes nobody else's share."""
    work = tuple(part for part in data.parts if not part.royalty)
    rest = data.paid_minor - sum(part.cost_minor for part in data.parts if part.royalty)
    assume(data.stripe_fee_minor <= rest)  # Stripe's fee is never more than the making (a few %)
    without = split(
        SplitInput(
            rest,
            data.stripe_fee_minor,
            data.currency,
            work,
            data.policy,
        )
    )
    result = split(data)
    if work:
        assert result.platform_take_minor == without.platform_take_minor
        for part in work:
            assert result.part(part.key) == without.part(part.key)
        assert result.platform_commission_minor == without.platform_commission_minor
    else:
        assert (
            result.platform_commission_minor == data.paid_minor - data.stripe_fee_minor - result.royalty_minor
        )


@settings(max_examples=300, deadline=None)
@given(inputs_with_royalties(covered=False))
def test_a_payment_short_of_the_royalties_cuts_them_in_proportion_and_leaves_the_work_nothing(data):
    royalty_total = sum(part.cost_minor for part in data.parts if part.royalty)
    if data.paid_minor >= royalty_total:
        return
    result = split(data)
    assert result.royalty_minor == data.paid_minor
    for part in data.parts:
        share = result.part(part.key)
        if part.royalty:
            assert share.amount_minor <= part.cost_minor
            assert abs(share.amount_minor - data.paid_minor * part.cost_minor / royalty_total) < 1
        else:
            assert share.amount_minor == 0


def test_worked_example_royalty_beside_the_minimum_fee_and_fee_borne_by_participants():
    """€100 of making (cost €80) + €12 royalty; platform 20 % of the surplus, at least €5; Stripe's fee €3.40
    borne by the participants: the designer gets €12.00, the workshop €80 + €15 surplus − €3.40 fee."""
    data = SplitInput(
        paid_minor=11_200,
        stripe_fee_minor=340,
        currency="EUR",
        parts=(
            Part("work_item:1", "asset_owner:1", 8_000, label="Milling", participant_name="Mill"),
            Part("line:1", "designer:4", 1_200, label="Lamp (line 1)", participant_name="Ada", royalty=True),
        ),
        policy=Policy(
            platform_surplus_bp=2_000, min_platform_fee_minor=500, fee_bearer=FEE_PARTICIPANTS, version=3
        ),
    )
    result = split(data)
    assert result.participant("designer:4").amount_minor == 1_200
    assert result.platform_take_minor == 500  # 20 % of the €20 surplus is €4: the minimum fee applies
    assert result.participant("asset_owner:1").amount_minor == 8_000 + 1_500 - 340
    assert result.platform_commission_minor == 500
    designer_lines = " ".join(result.participant("designer:4").lines)
    assert "€12.00 designers' royalties" in designer_lines
    assert "Your royalty is paid in full" in designer_lines
    assert "you receive €12.00" in designer_lines


def test_a_released_royalty_keeps_its_amount_and_the_platform_absorbs_the_difference():
    parts = (
        Part("work_item:1", "asset_owner:1", 1_000),
        Part("line:1", "designer:1", 300, royalty=True, fixed_amount_minor=250),
    )
    result = split(SplitInput(2_000, 0, "EUR", parts, Policy(platform_surplus_bp=0)))
    assert result.part("line:1").amount_minor == 250
    assert result.part("line:1").adjustment_minor == -50
    assert result.platform_commission_minor == 50


def test_royalties_with_nothing_planned_leave_the_rest_with_the_platform():
    result = split(
        SplitInput(5_000, 100, "EUR", (Part("line:1", "designer:1", 700, royalty=True),), Policy())
    )
    assert result.part("line:1").amount_minor == 700
    assert result.platform_commission_minor == 5_000 - 100 - 700


def test_a_participant_cannot_be_both_designer_and_workshop_in_one_split():
    with pytest.raises(SplitError):
        SplitInput(
            100, 0, "EUR", (Part("line:1", "x:1", 10, royalty=True), Part("work_item:1", "x:1", 10)), Policy()
        )


@settings(max_examples=300, deadline=None)
@given(inputs_with_royalties(), st.data())
def test_refunds_take_royalties_back_pro_rata_and_royalties_bear_no_refund_fee(data, draw):
    result = split(data)
    holders = [
        Holder(PLATFORM, result.paid_minor - sum(p.amount_minor for p in result.parts)),
        *(Holder(p.key, p.amount_minor) for p in result.parts),
    ]
    total = sum(h.held_minor for h in holders)
    refund = draw.draw(st.integers(0, total))
    allocation = refund_split(refund_minor=refund, holders=holders, mode=REFUND_PRO_RATA)
    assert sum(allocation.values()) == refund
    for holder in holders:
        if total:
            assert abs(allocation[holder.key] - refund * holder.held_minor / total) < 1
    royalties = {p.key for p in data.parts if p.royalty}
    fee = draw.draw(st.integers(0, data.stripe_fee_minor))
    for bearer in (REFUND_FEE_PRO_RATA, REFUND_FEE_PARTICIPANTS):
        capacity = {h.key: h.held_minor - allocation[h.key] for h in holders}
        borne = refund_fee_split(
            fee_minor=fee, allocation=allocation, capacity=capacity, bearer=bearer, royalties=royalties
        )
        assert sum(borne.values()) == fee
        assert all(borne.get(key, 0) == 0 for key in royalties)


def test_a_full_refund_takes_the_whole_royalty_back():
    parts = (Part("work_item:1", "asset_owner:1", 6_000), Part("line:1", "designer:1", 900, royalty=True))
    result = split(SplitInput(10_000, 0, "EUR", parts, Policy()))
    holders = [
        Holder(PLATFORM, result.platform_commission_minor),
        *(Holder(p.key, p.amount_minor) for p in result.parts),
    ]
    assert refund_split(refund_minor=10_000, holders=holders)["line:1"] == 900
    assert refund_split(refund_minor=5_000, holders=holders)["line:1"] == 450

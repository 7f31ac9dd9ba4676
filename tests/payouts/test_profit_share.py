"""The profit-share rule (a pure function): exact sums, fair shares and readable statements, for any input."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.payouts.profit_share.rule import (
    EQUAL,
    FEE_PARTICIPANTS,
    FEE_PLATFORM,
    PLATFORM,
    PROPORTIONAL,
    REFUND_PLATFORM_FIRST,
    REFUND_PRO_RATA,
    Holder,
    Part,
    Policy,
    SplitError,
    SplitInput,
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
def parts(draw, min_size=1):
    count = draw(st.integers(min_size, 8))
    participants = draw(st.integers(1, count))
    return tuple(
        Part(
            key=f"work_item:{index}",
            participant=f"asset_owner:{draw(st.integers(1, participants))}",
            cost_minor=draw(st.integers(0, 200_000)),
            label=f"Step {index}",
        )
        for index in range(count)
    )


CURRENCIES = st.sampled_from(["EUR", "JPY", "KWD", "USD"])


@st.composite
def split_inputs(draw, currency=CURRENCIES):
    the_parts = draw(parts())
    paid = draw(st.integers(0, 1_000_000))
    fee = draw(st.integers(0, paid))
    return SplitInput(
        paid_minor=paid, stripe_fee_minor=fee, currency=draw(currency), parts=the_parts, policy=draw(policies)
    )


@settings(max_examples=400, deadline=None)
@given(split_inputs())
def test_parts_commission_and_fee_always_sum_to_the_payment(data):
    """Whatever the policy and amounts: every minor unit the customer paid is accounted for exactly once."""
    result = split(data)
    assert sum(
        p.amount_minor for p in result.parts
    ) + result.platform_commission_minor + result.stripe_fee_minor == (data.paid_minor)
    for participant in result.participants:
        assert participant.amount_minor == sum(p.amount_minor for p in participant.parts)
        assert participant.cost_minor == sum(p.cost_minor for p in participant.parts)
        assert participant.lines, "every participant gets an explanation"
    assert {p.key for p in result.parts} == {p.key for p in data.parts}


@settings(max_examples=300, deadline=None)
@given(split_inputs())
def test_no_part_is_ever_negative_and_fee_shares_stay_within_amounts(data):
    result = split(data)
    for part in result.parts:
        assert part.amount_minor >= 0
        assert 0 <= part.fee_share_minor <= part.cost_minor + part.surplus_share_minor
    if data.policy.fee_bearer == FEE_PLATFORM:
        assert all(part.fee_share_minor == 0 for part in result.parts)
        assert result.platform_fee_borne_minor == data.stripe_fee_minor


@settings(max_examples=300, deadline=None)
@given(split_inputs())
def test_platform_take_is_its_percentage_or_the_minimum_fee(data):
    result = split(data)
    policy = data.policy
    surplus = data.paid_minor - sum(p.cost_minor for p in data.parts)
    exact = max(surplus, 0) * policy.platform_surplus_bp / 10_000
    assert result.platform_take_minor <= data.paid_minor
    assert result.platform_take_minor >= min(policy.min_platform_fee_minor, data.paid_minor)
    if (
        result.platform_take_minor > policy.min_platform_fee_minor
        and result.platform_take_minor < data.paid_minor
    ):
        assert abs(result.platform_take_minor - exact) < 1


@settings(max_examples=300, deadline=None)
@given(split_inputs())
def test_participants_get_at_least_cost_when_there_is_a_surplus_for_them(data):
    result = split(data)
    pool_surplus = data.paid_minor - result.platform_take_minor - result.total_cost_minor
    if pool_surplus >= 0:
        for participant in result.participants:
            assert participant.surplus_share_minor >= 0
            assert participant.amount_minor + participant.fee_share_minor >= participant.cost_minor


@settings(max_examples=300, deadline=None)
@given(split_inputs())
def test_surplus_shares_follow_the_method(data):
    """Proportional: a larger cost never gets a smaller share (beyond one unit of rounding); equal: shares differ
    by at most one unit."""
    result = split(data)
    pool_surplus = data.paid_minor - result.platform_take_minor - result.total_cost_minor
    shares = result.participants
    if pool_surplus < 0 or len(shares) < 2:
        return
    if data.policy.method == EQUAL:
        values = [p.surplus_share_minor for p in shares]
        assert max(values) - min(values) <= 1
    elif result.total_cost_minor > 0:
        for a in shares:
            exact = pool_surplus * a.cost_minor / result.total_cost_minor
            assert abs(a.surplus_share_minor - exact) < 1


@settings(max_examples=200, deadline=None)
@given(split_inputs(), st.data())
def test_fixed_parts_keep_their_amount_and_the_platform_absorbs_the_difference(data, draw):
    first = split(data)
    fixed_key = data.parts[0].key
    fixed_amount = draw.draw(st.integers(0, first.part(fixed_key).amount_minor + 1_000))
    parts = (Part(**{**data.parts[0].__dict__, "fixed_amount_minor": fixed_amount}), *data.parts[1:])
    second = split(SplitInput(data.paid_minor, data.stripe_fee_minor, data.currency, parts, data.policy))
    assert second.part(fixed_key).amount_minor == fixed_amount
    for part in data.parts[1:]:
        assert second.part(part.key).amount_minor == first.part(part.key).amount_minor
    delta = fixed_amount - first.part(fixed_key).amount_minor
    assert second.platform_commission_minor == first.platform_commission_minor - delta


@settings(max_examples=100, deadline=None)
@given(split_inputs())
def test_split_is_deterministic(data):
    assert split(data) == split(data)


def test_worked_example_proportional_with_fee_borne_by_participants():
    data = SplitInput(
        paid_minor=12_000,
        stripe_fee_minor=205,
        currency="EUR",
        parts=(
            Part("work_item:1", "asset_owner:1", 4_000, "Milling", "Acme"),
            Part("work_item:2", "asset_owner:2", 2_000, "Paint", "Paintco"),
            Part("leg:1", "carrier:1", 1_000, "Leg 1", "Truckers"),
            Part("work_item:3", "asset_owner:1", 1_000, "Assembly", "Acme"),
        ),
        policy=Policy(method=PROPORTIONAL, platform_surplus_bp=2_000, fee_bearer=FEE_PARTICIPANTS, version=3),
    )
    result = split(data)
    # surplus 40.00, platform 20 % = 8.00, participants share 32.00 by cost 50/20/10 of 80.
    assert result.platform_take_minor == 800
    acme = result.participant("asset_owner:1")
    assert (acme.cost_minor, acme.surplus_share_minor) == (5_000, 2_000)
    assert acme.amount_minor == 7_000 - acme.fee_share_minor
    assert result.platform_commission_minor == 800
    assert "You receive €50.00 + €20.00 − €1.28 = €68.72." in acme.lines
    assert any("Policy version 3" in line for line in acme.lines)


def test_minimum_fee_applies_when_the_surplus_is_small():
    data = SplitInput(
        paid_minor=10_100,
        stripe_fee_minor=0,
        currency="EUR",
        parts=(Part("work_item:1", "asset_owner:1", 10_000),),
        policy=Policy(platform_surplus_bp=5_000, min_platform_fee_minor=300),
    )
    result = split(data)
    assert result.platform_take_minor == 300
    # The participant bears the shortfall below cost: 10 100 − 300 = 9 800.
    assert result.part("work_item:1").amount_minor == 9_800
    assert any("minimum fee applies" in line for line in result.lines)


def test_equal_method_shares_surplus_per_participant_not_per_part():
    data = SplitInput(
        paid_minor=10_000,
        stripe_fee_minor=0,
        currency="EUR",
        parts=(
            Part("work_item:1", "asset_owner:1", 3_000),
            Part("work_item:2", "asset_owner:1", 3_000),
            Part("leg:1", "carrier:1", 1_000),
        ),
        policy=Policy(method=EQUAL, platform_surplus_bp=0),
    )
    result = split(data)
    assert result.participant("asset_owner:1").surplus_share_minor == 1_500
    assert result.participant("carrier:1").surplus_share_minor == 1_500
    assert result.participant("asset_owner:1").amount_minor == 7_500


def test_zero_decimal_and_three_decimal_currencies_are_exact_and_formatted_right():
    jpy = split(
        SplitInput(
            paid_minor=10_001,
            stripe_fee_minor=175,
            currency="JPY",
            parts=(Part("work_item:1", "asset_owner:1", 3_333), Part("work_item:2", "asset_owner:2", 3_334)),
            policy=Policy(platform_surplus_bp=3_333),
        )
    )
    assert sum(p.amount_minor for p in jpy.parts) + jpy.platform_commission_minor + 175 == 10_001
    assert any("¥10,001" in line for line in jpy.lines) and not any("¥10,001.0" in line for line in jpy.lines)
    kwd = split(
        SplitInput(
            paid_minor=12_345,
            stripe_fee_minor=210,
            currency="KWD",
            parts=(Part("work_item:1", "asset_owner:1", 5_001),),
            policy=Policy(platform_surplus_bp=1_000, fee_bearer=FEE_PARTICIPANTS),
        )
    )
    assert kwd.part("work_item:1").amount_minor + kwd.platform_commission_minor + 210 == 12_345
    assert any("12.345" in line for line in kwd.lines)


def test_invalid_inputs_are_refused():
    with pytest.raises(SplitError):
        Policy(platform_surplus_bp=10_001)
    with pytest.raises(SplitError):
        SplitInput(100, 200, "EUR", (), Policy())
    with pytest.raises(SplitError):
        SplitInput(100, 0, "EUR", (Part("a", "p", 1), Part("a", "q", 1)), Policy())


@st.composite
def holdings(draw):
    count = draw(st.integers(1, 6))
    holders = [Holder(PLATFORM, draw(st.integers(0, 50_000)))]
    holders += [Holder(f"work_item:{i}", draw(st.integers(0, 50_000))) for i in range(count)]
    total = sum(h.held_minor for h in holders)
    return holders, draw(st.integers(0, total))


@settings(max_examples=400, deadline=None)
@given(holdings(), st.sampled_from([REFUND_PRO_RATA, REFUND_PLATFORM_FIRST]))
def test_refund_split_sums_exactly_and_nobody_gives_more_than_it_holds(case, mode):
    holders, refund = case
    result = refund_split(refund_minor=refund, holders=holders, mode=mode)
    assert sum(result.values()) == refund
    for holder in holders:
        assert 0 <= result[holder.key] <= holder.held_minor
    if mode == REFUND_PLATFORM_FIRST:
        assert result[PLATFORM] == min(holders[0].held_minor, refund)


def test_refund_larger_than_holdings_is_refused():
    with pytest.raises(SplitError):
        refund_split(refund_minor=11, holders=[Holder(PLATFORM, 10)])

"""The profit-share rule as a pure function: dataclasses in, dataclasses out, no database.

The customer's payment is split into parts (one per work item and transport leg, each with the cost the plan
gave it, and one royalty part per order line of a product a designer made). Every work part gets its cost plus
a share of the surplus; the platform keeps its commission. The parts, the platform's commission and Stripe's fee
always add up to exactly what the customer paid: every division goes through largest-remainder allocation,
never through rounding.

Designers' royalties come off the top. The customer's price is the network's price plus the royalty (the
storefront adds it), so the designer receives exactly the royalty: it takes no share of the surplus, no part of
Stripe's fee (the work parts or the platform bear it, as the policy says), and the platform's percentage and
minimum fee apply to the rest (the making), never to the royalty. Only a payment smaller than the royalties
(which the storefront never sells) cuts them, in proportion, and then leaves nothing for the work.

    paid for the work   = paid − royalties
    platform take       = max(surplus × platform %, minimum fee), at most what was paid for the work
    participants' pool  = paid for the work − platform take
    participant surplus = pool − total cost, shared by cost (proportional) or equally (equal);
                          a shortfall (pool below cost) is always shared by cost, so no part goes negative
    Stripe's fee        = borne by the platform, or by the work parts pro rata to their amounts

Refunds are split by `refund_split`: pro rata to what each holder (the platform and every part) still holds,
or the platform's share first. Stripe keeps its whole fee when it refunds; the fee on the refunded part
(`refund_fee_of`) is borne as the policy's `refund_fee_bearer` says (`refund_fee_split`): by the platform, by
everyone who gives back part of the refund in proportion to what they give back, or by the participants alone —
never more than a part still holds after its refund share, and never by a royalty (the platform keeps those).
A royalty gives back its pro-rata share of a refund like every other holder.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace

from apps.core.money import Money, allocate_largest_remainder

PROPORTIONAL = "proportional"
EQUAL = "equal"
METHODS = (PROPORTIONAL, EQUAL)

FEE_PLATFORM = "platform"
FEE_PARTICIPANTS = "participants"
FEE_BEARERS = (FEE_PLATFORM, FEE_PARTICIPANTS)

REFUND_PRO_RATA = "pro_rata"
REFUND_PLATFORM_FIRST = "platform_first"
REFUND_MODES = (REFUND_PRO_RATA, REFUND_PLATFORM_FIRST)

# Who bears Stripe's fee on the refunded part of a payment (Stripe keeps its whole fee when it refunds).
REFUND_FEE_PLATFORM = "platform"
REFUND_FEE_PRO_RATA = "pro_rata"
REFUND_FEE_PARTICIPANTS = "participants"
REFUND_FEE_BEARERS = (REFUND_FEE_PLATFORM, REFUND_FEE_PRO_RATA, REFUND_FEE_PARTICIPANTS)

PLATFORM = "platform"
BASIS_POINTS = 10_000


class SplitError(ValueError):
    pass


@dataclass(frozen=True)
class Policy:
    method: str = PROPORTIONAL
    platform_surplus_bp: int = 2_000  # basis points: 2 000 = 20 % of the surplus
    min_platform_fee_minor: int = 0
    fee_bearer: str = FEE_PLATFORM
    refund_mode: str = REFUND_PRO_RATA
    refund_fee_bearer: str = REFUND_FEE_PLATFORM
    version: int = 0

    def __post_init__(self):
        if self.method not in METHODS:
            raise SplitError(f"Unknown split method {self.method!r}.")
        if not 0 <= self.platform_surplus_bp <= BASIS_POINTS:
            raise SplitError("The platform's share of the surplus is between 0 and 100 %.")
        if self.min_platform_fee_minor < 0:
            raise SplitError("The minimum platform fee is not negative.")
        if self.fee_bearer not in FEE_BEARERS:
            raise SplitError(f"Unknown fee bearer {self.fee_bearer!r}.")
        if self.refund_mode not in REFUND_MODES:
            raise SplitError(f"Unknown refund mode {self.refund_mode!r}.")
        if self.refund_fee_bearer not in REFUND_FEE_BEARERS:
            raise SplitError(f"Unknown bearer of the fee on refunds {self.refund_fee_bearer!r}.")


@dataclass(frozen=True)
class Part:
    """One paid piece of work: a work item or a transport leg, done by one participant."""

    key: str  # "work_item:12", "leg:4", "line:7"
    participant: str  # "asset_owner:3", "carrier:2", "designer:5"
    cost_minor: int  # a royalty part: the royalty the customer paid
    label: str = ""
    participant_name: str = ""
    # Set when the part's money already left (transferred): its amount may no longer change.
    fixed_amount_minor: int | None = None
    # A designer's royalty: paid in full before the split, no surplus, no share of Stripe's fee.
    royalty: bool = False

    def __post_init__(self):
        if self.cost_minor < 0:
            raise SplitError("A part's cost is not negative.")
        if self.fixed_amount_minor is not None and self.fixed_amount_minor < 0:
            raise SplitError("A part's fixed amount is not negative.")


@dataclass(frozen=True)
class SplitInput:
    paid_minor: int
    stripe_fee_minor: int
    currency: str
    parts: tuple[Part, ...]
    policy: Policy

    def __post_init__(self):
        if self.paid_minor < 0 or self.stripe_fee_minor < 0:
            raise SplitError("Paid amount and Stripe fee are not negative.")
        if self.stripe_fee_minor > self.paid_minor:
            raise SplitError("Stripe's fee cannot exceed the payment.")
        keys = [part.key for part in self.parts]
        if len(set(keys)) != len(keys):
            raise SplitError("Part keys are unique.")
        kinds: dict[str, bool] = {}
        for part in self.parts:
            if kinds.setdefault(part.participant, part.royalty) != part.royalty:
                raise SplitError("A participant's parts are all royalties or all work.")


@dataclass(frozen=True)
class PartShare:
    key: str
    participant: str
    label: str
    cost_minor: int
    surplus_share_minor: int
    fee_share_minor: int
    adjustment_minor: int
    amount_minor: int


@dataclass(frozen=True)
class ParticipantShare:
    participant: str
    name: str
    cost_minor: int
    surplus_share_minor: int
    fee_share_minor: int
    adjustment_minor: int
    amount_minor: int
    parts: tuple[PartShare, ...]
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Split:
    currency: str
    paid_minor: int
    stripe_fee_minor: int
    total_cost_minor: int
    surplus_minor: int
    platform_take_minor: int
    platform_fee_borne_minor: int
    platform_commission_minor: int
    participants: tuple[ParticipantShare, ...]
    lines: tuple[str, ...] = field(default=())
    royalty_minor: int = 0  # what the designers' royalty parts receive (before adjustments)

    @property
    def parts(self) -> tuple[PartShare, ...]:
        return tuple(part for participant in self.participants for part in participant.parts)

    def part(self, key: str) -> PartShare:
        for part in self.parts:
            if part.key == key:
                return part
        raise KeyError(key)

    def participant(self, participant: str) -> ParticipantShare:
        for share in self.participants:
            if share.participant == participant:
                return share
        raise KeyError(participant)


def _weights_or_equal(weights: Sequence[int]) -> list[int]:
    """Weights for an allocation; all-zero weights (free parts) share equally."""
    return list(weights) if any(weights) else [1] * len(weights)


def _pct(bp: int) -> str:
    return f"{bp / 100:g} %"


def split(data: SplitInput) -> Split:
    """Splits a paid order between its parts and the platform (see the module docstring)."""
    money = _formatter(data.currency)
    if not data.parts:
        return _platform_only(data, money)
    fee = data.stripe_fee_minor
    work = [part for part in data.parts if not part.royalty]
    royalty_by_part = _royalty_amounts([part for part in data.parts if part.royalty], data.paid_minor)
    royalties = sum(royalty_by_part.values())
    paid = data.paid_minor - royalties  # what the work and the platform share
    total_cost = sum(part.cost_minor for part in work)
    surplus = paid - total_cost
    from_percentage, take = _platform_take(data.policy, surplus=surplus, paid=paid)
    if not work:  # nothing planned yet: the platform holds all but the royalties
        from_percentage = take = paid
    pool = paid - take
    participants_surplus = pool - total_cost

    work_of = _parts_by_participant(work)
    surplus_by_participant, surplus_by_part = _surplus_shares(data.policy, work_of, participants_surplus)
    gross = {part.key: part.cost_minor + surplus_by_part[part.key] for part in work}
    fee_by_part = _fee_shares(data, work, gross)
    for part in data.parts:
        if part.royalty:  # a royalty is cut only when the payment is smaller than the royalties
            surplus_by_part[part.key] = royalty_by_part[part.key] - part.cost_minor
            gross[part.key] = royalty_by_part[part.key]
            fee_by_part[part.key] = 0
    platform_fee_borne = fee - sum(fee_by_part.values())
    adjustment_by_part = {
        part.key: 0
        if part.fixed_amount_minor is None
        else part.fixed_amount_minor - (gross[part.key] - fee_by_part[part.key])
        for part in data.parts
    }

    common = _common_lines(
        data, money, royalties, total_cost, surplus, from_percentage, take, pool, participants_surplus
    )
    shares = []
    for participant, parts in _parts_by_participant(data.parts).items():
        share = _participant_share(
            participant,
            parts,
            surplus_minor=surplus_by_participant.get(
                participant, sum(surplus_by_part[part.key] for part in parts)
            ),
            surplus_by_part=surplus_by_part,
            fee_by_part=fee_by_part,
            adjustment_by_part=adjustment_by_part,
        )
        if parts[0].royalty:
            explanation = _royalty_lines(money, share)
        else:
            explanation = _participant_lines(
                data, money, share, len(work_of), total_cost, participants_surplus
            )
        shares.append(replace(share, lines=(*common, *explanation)))
    commission = data.paid_minor - fee - sum(share.amount_minor for share in shares)
    return Split(
        currency=data.currency,
        paid_minor=data.paid_minor,
        stripe_fee_minor=fee,
        total_cost_minor=total_cost,
        surplus_minor=surplus,
        platform_take_minor=take,
        platform_fee_borne_minor=platform_fee_borne,
        platform_commission_minor=commission,
        participants=tuple(shares),
        royalty_minor=royalties,
        lines=_platform_lines(
            common,
            money,
            fee=fee,
            take=take,
            platform_fee_borne=platform_fee_borne,
            adjustments=sum(adjustment_by_part.values()),
            commission=commission,
        ),
    )


def _royalty_amounts(royalties: Sequence[Part], paid: int) -> dict[str, int]:
    """Each royalty in full; when the payment cannot cover them all (never sold so), the payment shared in
    proportion to the royalties."""
    total = sum(part.cost_minor for part in royalties)
    if total <= paid:
        return {part.key: part.cost_minor for part in royalties}
    cut = allocate_largest_remainder(paid, [part.cost_minor for part in royalties])
    return {part.key: amount for part, amount in zip(royalties, cut, strict=True)}


def _platform_only(data: SplitInput, money) -> Split:
    """No parts (nothing planned yet): the platform holds the whole payment."""
    paid, fee = data.paid_minor, data.stripe_fee_minor
    return Split(
        currency=data.currency,
        paid_minor=paid,
        stripe_fee_minor=fee,
        total_cost_minor=0,
        surplus_minor=paid,
        platform_take_minor=paid,
        platform_fee_borne_minor=fee,
        platform_commission_minor=paid - fee,
        participants=(),
        lines=(f"No participants: the platform holds the whole payment of {money(paid)}.",),
    )


def _platform_take(policy: Policy, *, surplus: int, paid: int) -> tuple[int, int]:
    """(the platform's percentage of the surplus, its take: at least the minimum fee, at most the payment)."""
    from_percentage = (
        allocate_largest_remainder(
            surplus, [policy.platform_surplus_bp, BASIS_POINTS - policy.platform_surplus_bp]
        )[0]
        if surplus > 0
        else 0
    )
    return from_percentage, min(max(from_percentage, policy.min_platform_fee_minor), paid)


def _parts_by_participant(parts: Sequence[Part]) -> dict[str, list[Part]]:
    """Participants in order of first appearance, each with its parts."""
    parts_of: dict[str, list[Part]] = {}
    for part in parts:
        parts_of.setdefault(part.participant, []).append(part)
    return parts_of


def _surplus_shares(
    policy: Policy, parts_of: dict[str, list[Part]], participants_surplus: int
) -> tuple[dict[str, int], dict[str, int]]:
    """The participants' surplus (negative: a shortfall) per participant, then per part within each.

    Shared equally or by cost as the policy says; a shortfall is always shared by cost, so no part goes
    negative. Within a participant, by its parts' costs."""
    if not parts_of:
        return {}, {}
    cost_of = [sum(part.cost_minor for part in parts) for parts in parts_of.values()]
    if policy.method == EQUAL and participants_surplus >= 0:
        weights = [1] * len(parts_of)
    else:
        weights = _weights_or_equal(cost_of)
    by_participant = dict(
        zip(parts_of, allocate_largest_remainder(participants_surplus, weights), strict=True)
    )
    by_part: dict[str, int] = {}
    for participant, parts in parts_of.items():
        shares = allocate_largest_remainder(
            by_participant[participant], _weights_or_equal([part.cost_minor for part in parts])
        )
        by_part.update(zip((part.key for part in parts), shares, strict=True))
    return by_participant, by_part


def _fee_shares(data: SplitInput, work: Sequence[Part], gross: dict[str, int]) -> dict[str, int]:
    """Stripe's fee per work part: nothing when the platform bears it, else pro rata to the parts' gross
    amounts (never more than they receive: the platform bears the rest)."""
    fee_by_part = {part.key: 0 for part in work}
    fee, gross_total = data.stripe_fee_minor, sum(gross.values())
    if data.policy.fee_bearer == FEE_PARTICIPANTS and fee > 0 and gross_total > 0:
        keys = [part.key for part in work]
        shares = allocate_largest_remainder(min(fee, gross_total), [gross[key] for key in keys])
        fee_by_part.update(zip(keys, shares, strict=True))
    return fee_by_part


def _participant_share(
    participant: str,
    parts: list[Part],
    *,
    surplus_minor: int,
    surplus_by_part: dict[str, int],
    fee_by_part: dict[str, int],
    adjustment_by_part: dict[str, int],
) -> ParticipantShare:
    """One participant's share and its parts (its explanation lines are added by the caller)."""
    part_shares = tuple(
        PartShare(
            key=part.key,
            participant=participant,
            label=part.label or part.key,
            cost_minor=part.cost_minor,
            surplus_share_minor=surplus_by_part[part.key],
            fee_share_minor=fee_by_part[part.key],
            adjustment_minor=adjustment_by_part[part.key],
            amount_minor=part.cost_minor
            + surplus_by_part[part.key]
            - fee_by_part[part.key]
            + adjustment_by_part[part.key],
        )
        for part in parts
    )
    return ParticipantShare(
        participant=participant,
        name=parts[0].participant_name or participant,
        cost_minor=sum(part.cost_minor for part in parts),
        surplus_share_minor=surplus_minor,
        fee_share_minor=sum(p.fee_share_minor for p in part_shares),
        adjustment_minor=sum(p.adjustment_minor for p in part_shares),
        amount_minor=sum(p.amount_minor for p in part_shares),
        parts=part_shares,
        lines=(),
    )


def _platform_lines(
    common, money, *, fee: int, take: int, platform_fee_borne: int, adjustments: int, commission: int
) -> tuple[str, ...]:
    return (
        *common,
        f"Stripe's fee {money(fee)}: {money(platform_fee_borne)} borne by the platform, "
        f"{money(fee - platform_fee_borne)} by the participants.",
        *(
            [
                f"Amounts already transferred are kept; the platform absorbs the difference ({money(-adjustments)})."
            ]
            if adjustments
            else []
        ),
        f"Platform commission: {money(take)} − {money(platform_fee_borne)} fee"
        + (f" − {money(adjustments)} adjustments" if adjustments else "")
        + f" = {money(commission)}.",
    )


def _formatter(currency: str):
    def money(amount_minor: int) -> str:
        return Money(amount_minor, currency).format()

    return money


def _common_lines(
    data, money, royalties, total_cost, surplus, from_percentage, take, pool, participants_surplus
):
    policy = data.policy
    lines = [
        f"Policy version {policy.version}: "
        + (
            "surplus shared in proportion to cost"
            if policy.method == PROPORTIONAL
            else "surplus shared equally"
        )
        + f", platform keeps {_pct(policy.platform_surplus_bp)} of the surplus"
        + (f" (at least {money(policy.min_platform_fee_minor)})" if policy.min_platform_fee_minor else "")
        + f", Stripe's fee borne by {'the platform' if policy.fee_bearer == FEE_PLATFORM else 'the participants pro rata'}"
        + f"; on a refund Stripe keeps its fee, and the fee on the refunded part is {REFUND_FEE_WORDS[policy.refund_fee_bearer]}.",
        f"Customer paid {money(data.paid_minor)}"
        + (f", of which {money(royalties)} designers' royalties paid to them in full" if royalties else "")
        + f"; planned cost of all work and transport {money(total_cost)}; surplus {money(surplus)}.",
    ]
    if take == from_percentage:
        lines.append(f"Platform take: {_pct(policy.platform_surplus_bp)} of the surplus = {money(take)}.")
    else:
        lines.append(
            f"Platform take: {money(take)} ({_pct(policy.platform_surplus_bp)} of the surplus would be "
            f"{money(from_percentage)}; the minimum fee applies)."
        )
    if participants_surplus >= 0:
        lines.append(
            f"Participants share {money(pool)}: their costs plus a surplus of {money(participants_surplus)}."
        )
    else:
        lines.append(
            f"Participants share {money(pool)}: {money(-participants_surplus)} less than their costs, "
            "a shortfall shared in proportion to cost."
        )
    return tuple(lines)


def _participant_lines(
    data, money, share: ParticipantShare, participant_count, total_cost, participants_surplus
):
    policy = data.policy
    lines = [f"{part.label}: planned cost {money(part.cost_minor)}." for part in share.parts]
    if participants_surplus < 0 or policy.method == PROPORTIONAL:
        fraction = f"{share.cost_minor / total_cost:.1%}" if total_cost else f"1/{participant_count}"
        lines.append(
            f"Your cost {money(share.cost_minor)} is {fraction} of all costs: "
            f"surplus share {money(share.surplus_share_minor)}."
        )
    else:
        lines.append(
            f"Surplus shared equally among {participant_count} participants: your share {money(share.surplus_share_minor)}."
        )
    if share.fee_share_minor:
        lines.append(f"Your share of Stripe's fee: −{money(share.fee_share_minor)}.")
    if share.adjustment_minor:
        lines.append(
            f"Already transferred before a re-plan, kept as sent: {money(share.adjustment_minor)} adjustment."
        )
    lines.append(
        f"You receive {money(share.cost_minor)} + {money(share.surplus_share_minor)}"
        + (f" − {money(share.fee_share_minor)}" if share.fee_share_minor else "")
        + (f" + {money(share.adjustment_minor)}" if share.adjustment_minor else "")
        + f" = {money(share.amount_minor)}."
    )
    return tuple(lines)


def _royalty_lines(money, share: ParticipantShare) -> tuple[str, ...]:
    lines = [f"{part.label}: royalty {money(part.cost_minor)}." for part in share.parts]
    if share.surplus_share_minor:
        lines.append(
            f"The payment did not cover all royalties: yours is cut by {money(-share.surplus_share_minor)}."
        )
    if share.adjustment_minor:
        lines.append(
            f"Already transferred before a change, kept as sent: {money(share.adjustment_minor)} adjustment."
        )
    lines.append(
        f"Your royalty is paid in full (no share of the surplus or of Stripe's fee): you receive "
        f"{money(share.amount_minor)}."
    )
    return tuple(lines)


# --- refunds ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    """Who holds part of an order's money: PLATFORM or a part key, with what it still holds."""

    key: str
    held_minor: int


def refund_split(
    *, refund_minor: int, holders: Sequence[Holder], mode: str = REFUND_PRO_RATA
) -> dict[str, int]:
    """How much of a refund each holder gives back. Sums exactly to the refund; nobody gives more than it holds.

    pro_rata: every holder (the platform included) in proportion to what it still holds.
    platform_first: the platform's holding first, the rest from the parts pro rata.
    """
    if refund_minor < 0:
        raise SplitError("A refund is not negative.")
    if mode not in REFUND_MODES:
        raise SplitError(f"Unknown refund mode {mode!r}.")
    if any(holder.held_minor < 0 for holder in holders):
        raise SplitError("Holdings are not negative.")
    total_held = sum(holder.held_minor for holder in holders)
    if refund_minor > total_held:
        raise SplitError(f"Refund {refund_minor} exceeds what is still held ({total_held}).")
    result = {holder.key: 0 for holder in holders}
    if refund_minor == 0:
        return result
    remaining = refund_minor
    pool = list(holders)
    if mode == REFUND_PLATFORM_FIRST:
        for holder in holders:
            if holder.key == PLATFORM:
                taken = min(holder.held_minor, remaining)
                result[PLATFORM] = taken
                remaining -= taken
        pool = [holder for holder in holders if holder.key != PLATFORM]
        if remaining == 0:
            return result
    weights = [holder.held_minor for holder in pool]
    for holder, part in zip(pool, allocate_largest_remainder(remaining, weights), strict=True):
        result[holder.key] += part
    return result


REFUND_FEE_WORDS = {
    REFUND_FEE_PLATFORM: "borne by the platform",
    REFUND_FEE_PRO_RATA: "shared by whoever gives the refund back, in proportion to what they give back",
    REFUND_FEE_PARTICIPANTS: "shared by the participants who give the refund back, in proportion",
}


def refund_fee_of(*, fee_minor: int, paid_minor: int, refunded_before_minor: int, refund_minor: int) -> int:
    """Stripe's fee on the part of the payment this refund gives back: the fee in proportion to the refunded
    amount, computed on the cumulative refunds so that successive partial refunds add up to the whole fee."""
    if paid_minor <= 0 or fee_minor <= 0:
        return 0

    def on(refunded: int) -> int:
        refunded = min(max(refunded, 0), paid_minor)
        return allocate_largest_remainder(fee_minor, [refunded, paid_minor - refunded])[0]

    return on(refunded_before_minor + refund_minor) - on(refunded_before_minor)


def refund_fee_split(
    *,
    fee_minor: int,
    allocation: dict[str, int],
    capacity: dict[str, int],
    bearer: str,
    royalties: Collection[str] = (),
) -> dict[str, int]:
    """Who bears `fee_minor` (Stripe's fee on a refund): PLATFORM or a part key → amount, summing to the fee.

    `allocation` is who gives the refund back (refund_split's result); `capacity` what each part still holds
    after that (a part never gives back more than it received: the excess stays with the platform). The parts
    named in `royalties` bear no fee, as they bore none of the charge's: their share stays with the platform."""
    if bearer not in REFUND_FEE_BEARERS:
        raise SplitError(f"Unknown bearer of the fee on refunds {bearer!r}.")
    result = {PLATFORM: fee_minor}
    if fee_minor <= 0 or bearer == REFUND_FEE_PLATFORM:
        return result
    keys = [key for key, amount in allocation.items() if amount > 0]
    if bearer == REFUND_FEE_PARTICIPANTS:
        keys = [key for key in keys if key != PLATFORM]
    if not keys:
        return result
    shares = allocate_largest_remainder(fee_minor, [allocation[key] for key in keys])
    result[PLATFORM] = 0
    for key, share in zip(keys, shares, strict=True):
        if key == PLATFORM:
            borne = share
        elif key in royalties:
            borne = 0
        else:
            borne = min(share, max(capacity.get(key, 0), 0))
        result[key] = result.get(key, 0) + borne
        result[PLATFORM] += share - borne
    return result

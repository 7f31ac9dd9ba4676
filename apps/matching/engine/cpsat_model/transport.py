"""Transport between the sites of consecutive operations (and to the customer), and the carrier choice.

Per precedence arc, in one of two forms:
- pair form (small arcs: quotes, LNS neighbourhoods): one literal per (site pair, carrier) option, tied to both
  operations' site literals like a transportation problem, so travel time and cost are linear sums (strong LP);
- compact form (arcs with more than PAIR_OPTIONS_LIMIT options): an operation's site is a linear expression of
  its presence literals, so the travel time into site s is `Σ_a T(a, s)·site_a(pred)` — one enforced linear
  constraint per (site of the side with fewer sites, carrier) instead of a literal per pair of sites
  (which at marketplace scale found no plan in 60 s), with a carrier-choice literal per arc only when several carriers are worth choosing.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from .state import ArcVars, Expr, Literal, ModelState

# Above this many (site pair, carrier) options an arc uses the compact form (a literal per pair
# of candidate sites does not scale to a whole marketplace; quotes and LNS neighbourhoods stay far below it).
PAIR_OPTIONS_LIMIT = 1200


def build_arcs(state: ModelState) -> None:
    for arc in state.index.arcs:
        if arc.pred in state.pins and arc.succ in state.pins:
            state.objective_offset += state.problem.weights.cost * _pinned_leg_cost(state, arc.pred, arc.succ)
            continue
        pred, succ = state.ops[arc.pred], state.ops[arc.succ]
        link_transport(state, (arc.pred, arc.succ), pred.end, pred.sites, succ.start, succ.sites)


def link_transport(
    state: ModelState,
    key: tuple[str, str],
    pred_end: Expr,
    pred_sites: dict[str, Literal],
    succ_start: Expr,
    succ_sites: dict[str, Literal],
) -> None:
    """succ_start >= pred_end + travel time between the chosen sites, and the leg's cost."""
    if _link_pairs(state, key, pred_end, pred_sites, succ_start, succ_sites):
        return
    model, index = state.model, state.index
    with_cost = state.problem.weights.cost > 0
    model.add(succ_start >= pred_end)
    pairs = [(a, b) for a in pred_sites for b in succ_sites if a != b]
    if not pairs:
        return
    for a, b in pairs:
        if not index.routes(a, b):
            _forbid_both(model, pred_sites[a], succ_sites[b])
    carriers = sorted({o.carrier_id for a, b in pairs for o in index.routes(a, b)})
    if not carriers:
        return
    arc = ArcVars()
    if len(carriers) > 1:
        arc.carrier = {k: model.new_bool_var(f"c_{key[0]}_{key[1]}_{k}") for k in carriers}
        model.add_exactly_one(arc.carrier.values())
    if with_cost:
        top = max(o.cost_minor for a, b in pairs for o in index.routes(a, b))
        arc.cost = model.new_int_var(0, top, f"tc_{key[0]}_{key[1]}")
    pred_is_guard = len(pred_sites) <= len(succ_sites)
    guard_sites, other_sites = (pred_sites, succ_sites) if pred_is_guard else (succ_sites, pred_sites)
    for guard_site, guard_lit in guard_sites.items():
        for carrier in carriers:
            carrier_lit = arc.carrier.get(carrier, True)
            enforce = [lit for lit in (guard_lit, carrier_lit) if lit is not True]
            travel: list[tuple[int, Literal]] = []
            price: list[tuple[int, Literal]] = []
            for other_site, other_lit in other_sites.items():
                if other_site == guard_site:
                    continue
                pair = (guard_site, other_site) if pred_is_guard else (other_site, guard_site)
                offer = next((o for o in index.routes(*pair) if o.carrier_id == carrier), None)
                if offer is None:
                    if index.routes(*pair):  # served, but not by this carrier
                        _forbid_all(model, enforce + ([other_lit] if other_lit is not True else []))
                    continue
                travel.append((offer.duration, other_lit))
                price.append((offer.cost_minor, other_lit))
            if travel:
                model.add(succ_start >= pred_end + _weighted(travel)).only_enforce_if(enforce)
            if with_cost and price:
                model.add(arc.cost >= _weighted(price)).only_enforce_if(enforce)
    state.arcs[key] = arc


def _link_pairs(
    state: ModelState,
    key: tuple[str, str],
    pred_end: Expr,
    pred_sites: dict[str, Literal],
    succ_start: Expr,
    succ_sites: dict[str, Literal],
) -> bool:
    """The tight form when it is small: one literal per (site pair, carrier) option, tied to both ends' site
    literals like a transportation problem, so travel time and cost are plain linear sums (a strong LP).
    False, having added nothing, when the options exceed PAIR_OPTIONS_LIMIT."""
    index = state.index
    offers: list[tuple[str, str, str | None, int, int]] = []
    for a in pred_sites:
        for b in succ_sites:
            if a == b:
                offers.append((a, b, None, 0, 0))
            else:
                offers.extend((a, b, o.carrier_id, o.duration, o.cost_minor) for o in index.routes(a, b))
            if len(offers) > PAIR_OPTIONS_LIMIT:
                return False
    model = state.model
    arc = ArcVars()
    if not offers:
        model.add_bool_or([False])  # precheck reports this; keep the model honest if it is reached anyway
        return True
    if len(offers) == 1:
        a, b, carrier, duration, cost = offers[0]
        model.add(succ_start >= pred_end + duration)
        arc.options = [(True, a, b, carrier)]
        arc.cost = cost
        state.arcs[key] = arc
        return True
    lits = [model.new_bool_var(f"z_{key[0]}_{key[1]}_{a}_{b}_{k}") for a, b, k, _, _ in offers]
    for site, lit in pred_sites.items():
        model.add(sum(z for z, (a, _, _, _, _) in zip(lits, offers, strict=True) if a == site) == lit)
    for site, lit in succ_sites.items():
        model.add(sum(z for z, (_, b, _, _, _) in zip(lits, offers, strict=True) if b == site) == lit)
    model.add(succ_start >= pred_end + sum(o[3] * z for z, o in zip(lits, offers, strict=True) if o[3]))
    arc.cost = sum(o[4] * z for z, o in zip(lits, offers, strict=True) if o[4])
    arc.options = [(z, a, b, k) for z, (a, b, k, _, _) in zip(lits, offers, strict=True)]
    state.arcs[key] = arc
    return True


def _pinned_leg_cost(state: ModelState, pred: str, succ: str) -> int:
    index = state.index
    a = index.site_of[state.pins[pred].resource_id]
    b = index.site_of[state.pins[succ].resource_id]
    if a == b:
        return 0
    departure = state.ops[pred].end
    arrive_by = state.pins[succ].start
    in_time = [o.cost_minor for o in index.routes(a, b) if departure + o.duration <= arrive_by]  # type: ignore[operator]
    return min(in_time, default=0)


def _weighted(terms: list[tuple[int, Literal]]) -> Expr:
    return sum(coef if lit is True else coef * lit for coef, lit in terms)


def _forbid_both(model: cp_model.CpModel, a: Literal, b: Literal) -> None:
    _forbid_all(model, [lit for lit in (a, b) if lit is not True])


def _forbid_all(model: cp_model.CpModel, lits: list[Literal]) -> None:
    """Not all of these literals may hold; an empty list means the situation is impossible outright."""
    if not lits:
        model.add_bool_or([False])
    else:
        model.add_bool_or([lit.Not() for lit in lits])

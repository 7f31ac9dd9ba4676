"""Builds the solver's Problem (engine/domain.py) from the database, and keeps what is needed to read the Plan back.

- Candidates: resources of eligible (approved, onboarded) asset owners whose process, material and size fit the
  operation; duration = reference minutes / speed factor rounded up; cost = the resource's cost model. Resources of
  the right process that do not fit are listed as rejections ("incapable: …"), with the reason.
- A resource that is down stays a candidate with its whole horizon closed (its verdict reads "closed").
- Calendars: the network's weekly hours and exceptions expanded to closed minutes over the horizon.
- Committed work (other orders' work items not done, and the pinned work of the orders being planned) enters as
  fixed bookings of a synthetic order on the real resources: the solver plans around them and the explanation
  calls a resource blocked by them "busy". Bookings are clipped to calendar openings and to the capacity, so a
  closure added after work was committed can never make the whole problem infeasible.
- Pinned operations of the orders being planned (started work; in a narrow re-plan also unaffected work) sit on a
  private copy of their resource ("pin:<op>") at the real site, so transport to and from them is still planned.
- Sites: one per asset owner in use plus one delivery site per order; carrier options between every pair of sites
  the plan may connect, from eligible carriers' rate cards (only carriers covering both ends).

Times are minutes from `origin` (now rounded up to the minute); money in the network currency's minor units.
"""

from apps.matching.problem.build import fits, normalise_material, problem_build
from apps.matching.problem.values import (
    NETWORK_ORDER,
    PIN_PREFIX,
    BuiltProblem,
    OrderInput,
    Pin,
    ResourceInfo,
    SiteInfo,
    StepInput,
    origin_now,
    steps_from_compiled,
)

__all__ = [
    "NETWORK_ORDER",
    "PIN_PREFIX",
    "BuiltProblem",
    "OrderInput",
    "Pin",
    "ResourceInfo",
    "SiteInfo",
    "StepInput",
    "fits",
    "normalise_material",
    "origin_now",
    "problem_build",
    "steps_from_compiled",
]

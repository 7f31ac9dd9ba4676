"""The CP-SAT formulation (flexible job shop with transport, calendars and costs).

- state: the inputs (`Pin`, `ModelOptions`) and what the builders share (`ModelState`, per-operation and per-arc
  variables);
- operations: start, duration and interval variables per operation, a presence literal per candidate resource,
  site literals;
- busy_time: calendar closures and pinned work as holes in the start domains of single-unit resources;
- resources: `NoOverlap` / `Cumulative` per resource, redundant cumulatives over interchangeable resources;
- transport: travel time and cost between consecutive sites, pair and compact forms, carrier choice;
- objective: order completion, deadlines, tardiness, makespan, and the objective;
- hints: a complete plan as a warm start;
- model: `MatchingModel`, which runs the builders in order and reads the solution back.
"""

from .model import MatchingModel
from .state import ModelOptions, Pin

__all__ = ["MatchingModel", "ModelOptions", "Pin"]

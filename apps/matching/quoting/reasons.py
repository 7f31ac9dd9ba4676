"""Why the network cannot make a design: a sentence a customer can act on, and the same as data for the API.

Each reason names the step, what to change (`change`: size, material, quantity, date, address, later) and each
machine able to do the step's process with its own reason (too small, wrong material, closed, busy, …): the
rejections of different machines are never merged into one sentence about "the workshops".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal

from apps.matching.engine import domain
from apps.matching.engine.domain import Infeasible
from apps.matching.problem import BuiltProblem, StepInput
from apps.processes.selectors import process_label

# The problem builder's rejection kinds (apps/matching/problem/build.py, _incapable) as the API names them.
MACHINE_KINDS = {
    "size": "too_small",
    "material": "wrong_material",
    "owner": "company_unavailable",
    "currency": "other_currency",
    "declined": "declined",
}
CLOSED = "closed"
BUSY = "busy"
BUSY_CODES = (domain.FIXED_CONFLICT, domain.SOLVER_PROVED_INFEASIBLE, domain.NO_SOLUTION_IN_TIME)


@dataclass(frozen=True)
class MachineReason:
    """One machine that could do the step's process, and why it cannot take this step."""

    company: str
    machine: str
    kind: str  # too_small, wrong_material, company_unavailable, other_currency, declined, closed, busy
    detail: str


@dataclass(frozen=True)
class QuoteReason:
    code: str
    steps: tuple[str, ...]
    message: str
    step_keys: tuple[str, ...] = ()
    change: str = ""  # what the customer can change: size, material, quantity, date, address, later
    machines: tuple[MachineReason, ...] = ()

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "steps": list(self.steps),
            "step_keys": list(self.step_keys),
            "change": self.change,
            "message": self.message,
            "machines": [asdict(m) for m in self.machines],
        }


def quote_reason(built: BuiltProblem, reason: Infeasible, horizon_days: int) -> QuoteReason:
    """The customer's version of an engine reason: message, the steps it concerns, the machines and the fix."""
    steps = [built.steps[o] for o in reason.operation_ids if o in built.steps]
    step = steps[0] if steps else None
    message, change, machines = _explain(built, reason, steps, horizon_days)
    return QuoteReason(
        code=reason.code,
        steps=tuple(s.name for s in steps),
        message=message,
        step_keys=tuple(s.step_key for s in steps),
        change=change,
        machines=machines if step is not None else (),
    )


def reason_message(built: BuiltProblem, reason: Infeasible, horizon_days: int) -> str:
    """What a customer can do about a reason the network cannot make the design."""
    return quote_reason(built, reason, horizon_days).message


def _explain(
    built: BuiltProblem, reason: Infeasible, steps: list[StepInput], horizon_days: int
) -> tuple[str, str, tuple[MachineReason, ...]]:
    step = steps[0] if steps else None
    name = step.name if step else "This design"
    if reason.code == domain.NO_CAPABLE_RESOURCE and step is not None:
        return _no_capable(built, step)
    if reason.code == domain.LONGER_THAN_ANY_OPENING and step is not None:
        hours = step.reference_minutes / 60
        machines = _candidates(built, step, CLOSED, f"not open {hours:.0f} hours in one go")
        return (
            f"{name} takes about {hours:.0f} hours in one go, longer than any workshop able to do it is open "
            f"in the next {horizon_days} days ({_machine_list(machines)}). Choose a smaller size or quantity.",
            "quantity",
            machines,
        )
    if reason.code == domain.IMPOSSIBLE_DUE_DATE:
        return "It cannot arrive by the date you asked for. Choose a later date.", "date", ()
    if reason.code == domain.NO_TRANSPORT_ROUTE:
        if len(steps) >= 2:
            return (
                f"No carrier links the workshops for {steps[0].name} and {steps[1].name}. "
                "Try again later, or contact us.",
                "later",
                (),
            )
        return (
            "No carrier delivers from the workshops that can make it to that address. Choose another address.",
            "address",
            (),
        )
    if reason.code == domain.ROUTING_CYCLE:
        return (
            f"The product's steps ({', '.join(s.name for s in steps)}) wait for each other; it cannot be quoted.",
            "later",
            (),
        )
    if reason.code in BUSY_CODES:
        machines = (
            _candidates(built, step, BUSY, f"fully booked for the next {horizon_days} days") if step else ()
        )
        where = f" ({_machine_list(machines)})" if machines else ""
        return (
            f"The workshops able to make {name.lower() if step else 'it'} are fully booked for the next "
            f"{horizon_days} days{where}. Choose a smaller quantity or try again later.",
            "quantity",
            machines,
        )
    return "This design cannot be quoted right now. Try again later.", "later", ()


def _no_capable(built: BuiltProblem, step: StepInput) -> tuple[str, str, tuple[MachineReason, ...]]:
    """Each machine of the step's process, in the network's eligible companies, with its own reason."""
    process = process_label(step.process).lower()
    infos = {str(r.pk): r for r in built.process_resources.get(step.process, ()) if r.eligible}
    if not infos:
        return f"No workshop in the network offers {process} yet.", "later", ()
    machines = tuple(
        MachineReason(
            company=infos[rid].owner_name,
            machine=infos[rid].name,
            kind=MACHINE_KINDS.get(kind, kind),
            detail=text,
        )
        for rid, kind, text in built.rejections_by_kind.get(step.op_id, ())
        if rid in infos
    )
    kinds = {m.kind for m in machines}
    material = f"{step.material}, " if step.material else ""
    fixes = []
    if "too_small" in kinds:
        fixes.append("a smaller size")
    if "wrong_material" in kinds:
        fixes.append("another material")
    change = "size" if "too_small" in kinds else "material" if "wrong_material" in kinds else "later"
    advice = f" Choose {' or '.join(fixes)}." if fixes else " Try again later."
    return (
        f"{step.name} ({material}{_mm(step.dimensions_mm)} mm) needs {process}, and no machine in the network "
        f"can take it: {_machine_list(machines)}.{advice}",
        change,
        machines,
    )


def _candidates(built: BuiltProblem, step: StepInput, kind: str, detail: str) -> tuple[MachineReason, ...]:
    """The machines that were candidates for the step (they fit it), each with the same reason `kind`."""
    operation = next((op for op in built.problem.operations if op.id == step.op_id), None)
    if operation is None:
        return ()
    seen, machines = set(), []
    for candidate in operation.candidates:
        info = built.resources.get(candidate.resource_id)
        if info is None or info.pk in seen:
            continue
        seen.add(info.pk)
        machines.append(MachineReason(company=info.owner_name, machine=info.name, kind=kind, detail=detail))
    return tuple(machines)


def _machine_list(machines: tuple[MachineReason, ...]) -> str:
    return "; ".join(f"{m.company}'s {m.machine}: {m.detail}" for m in machines)


def _mm(sides) -> str:
    return " × ".join(f"{Decimal(str(s)).normalize():f}" for s in sides)

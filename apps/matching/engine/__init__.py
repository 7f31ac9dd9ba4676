"""The matching engine: pure Python and OR-Tools, no Django, no database, no other app.

It takes a `domain.Problem` (operations with their candidate resources, carriers, orders with due times, the
weights of the objective) and returns a `domain.Plan`; `solver.solve` is the entry point. Everything that reads
the database to build a Problem, records runs or applies a plan lives one level up in `apps.matching`
(`problem/`, `services/`, `quoting.py`). import-linter (pyproject.toml) keeps this package free of Django and of
the rest of the project.

- domain: the value types in and out (Problem, Plan, Limits, Weights, statuses, rejection reasons)
- solver: the strategy (precheck, greedy start, CP-SAT, LNS, validation, explanation)
- cpsat_model/, cpsat_run: the CP-SAT model and running it; lns: large-neighbourhood improvement; reinsert: ruin
  and recreate by dynamic programming; second_process: ruin and recreate forked onto the second worker's core
- greedy: dispatching rules (start solution and fallback); shortlist: candidate pruning for quotes
- indexing, timeline, assemble: the problem indexed for the model; calendars; decoding a plan
- bounds, precheck: lower bounds and infeasibility reasons; explain: why each candidate lost
- validator: the independent check every plan passes before it is applied
- pricing: the customer's price of a plan
- benchmarks/: FJSP instance reader, generated marketplace scenarios and the benchmark runners (never imported
  by the running application)
"""

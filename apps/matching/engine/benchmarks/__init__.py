"""Benchmarks of the engine; tests and the bench_* management commands use them, the running application never.

- fjs: the standard flexible job shop text format (.fjs) read into a makespan-mode Problem
- scenarios: seeded marketplace scenarios (suppliers near Dutch towns, carriers, orders, committed work)
- runners: the benchmark loops behind `manage.py bench_matching` / `bench_network` (also `python -m
  apps.matching.engine.benchmarks.runners`)

The public FJSP instances live in the repository under `bench/fjsp/` (see bench/fjsp/SOURCES.md).
"""

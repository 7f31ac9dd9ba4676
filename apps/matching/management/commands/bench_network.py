"""python manage.py bench_network --orders N --suppliers M --seed S --time-limit T --workers W -> one JSON line."""

import json

from django.core.management.base import BaseCommand

from apps.matching.engine.benchmarks import runners
from apps.matching.engine.domain import CPU_CLOCK, WALL_CLOCK


class Command(BaseCommand):
    help = (
        "Solve a generated marketplace scenario and report objective, bound, gap, lateness, time and memory."
    )

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=200)
        parser.add_argument("--suppliers", type=int, default=40)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--time-limit", type=float, default=60.0)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--clock",
            choices=(WALL_CLOCK, CPU_CLOCK),
            default=WALL_CLOCK,
            help="cpu: the time limit counts CPU seconds over the workers, so runs compare at any load",
        )

    def handle(self, *args, **options):
        result = runners.bench_network(
            options["orders"],
            options["suppliers"],
            options["seed"],
            options["time_limit"],
            options["workers"],
            options["clock"],
        )
        self.stdout.write(json.dumps(result))

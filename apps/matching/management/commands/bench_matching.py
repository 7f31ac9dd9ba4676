"""python manage.py bench_matching --time-limit S --workers N [FILE...] -> one JSON line per instance, then a summary.

Without files it solves the ten Brandimarte instances kept in the repository (bench/fjsp/brandimarte).
"""

import json

from django.core.management.base import BaseCommand

from apps.matching.engine.benchmarks import runners
from apps.matching.engine.domain import CPU_CLOCK, WALL_CLOCK


class Command(BaseCommand):
    help = "Solve FJSP benchmark files (.fjs) in makespan mode and report gaps to best_known.csv."

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="*", help="FJSP .fjs files (default: the instances in bench/fjsp/brandimarte)"
        )
        parser.add_argument("--time-limit", type=float, default=60.0)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--clock",
            choices=(WALL_CLOCK, CPU_CLOCK),
            default=WALL_CLOCK,
            help="cpu: the time limit counts CPU seconds over the workers, so runs compare at any load",
        )
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--best-known", default=None, help="defaults to best_known.csv above the files")

    def handle(self, *args, **options):
        files = options["files"] or runners.default_fjs_files()
        best_path = options["best_known"] or runners.find_best_known(files)
        best_known = runners.load_best_known(best_path) if best_path else {}
        rows = []
        for row in runners.bench_fjs(
            files, options["time_limit"], options["workers"], options["seed"], options["clock"]
        ):
            rows.append(runners.with_gap(row, best_known))
            self.stdout.write(json.dumps(rows[-1]))
            self.stdout.flush()
        self.stdout.write(json.dumps(runners.summarize_fjs(rows)))

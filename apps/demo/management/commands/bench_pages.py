"""Req/s of every role's main read pages beside the framework floor, in one run, on loopback.

    python manage.py bench_pages [--seconds 5] [--rounds 3] [--pool 0]

Clones the demo network (`seed_demo` first), serves it with gunicorn (2 sync workers, DEBUG off) with the floor
page routed (a bare django-tenants + DRF list of 50 rows, settings.BENCH_FLOOR_PAGE), and measures each page with
`wrk -t2 -c20` in rounds that alternate with the floor (apps/demo/pages/run.py). Prints each page's ratio to the
floor and, as the last line, JSON. `--pool N` serves through Django's psycopg pool (N per worker) instead of
persistent connections.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from apps.demo.pages.run import PagesOptions, PagesRunError, pages_benchmark_run

DEFAULTS = PagesOptions()


class Command(BaseCommand):
    help = "Req/s of each role's main pages as a ratio of a bare DRF floor page, gunicorn + wrk; JSON last."

    def add_arguments(self, parser):
        parser.add_argument(
            "--seconds", type=int, default=DEFAULTS.seconds, help="wrk time per page and round."
        )
        parser.add_argument(
            "--rounds", type=int, default=DEFAULTS.rounds, help="Rounds (the median is kept)."
        )
        parser.add_argument("--threads", type=int, default=DEFAULTS.threads, help="wrk threads.")
        parser.add_argument("--connections", type=int, default=DEFAULTS.connections, help="wrk connections.")
        parser.add_argument("--workers", type=int, default=DEFAULTS.workers, help="gunicorn sync workers.")
        parser.add_argument("--pool", type=int, default=DEFAULTS.pool, help="psycopg pool size per worker.")
        parser.add_argument(
            "--compare-pool",
            type=int,
            default=DEFAULTS.compare_pool,
            help="Also serve through a psycopg pool of this size and measure each page on both in turn.",
        )
        parser.add_argument("--only", default=DEFAULTS.only, help="Only pages whose name contains this.")
        parser.add_argument("--source", default=DEFAULTS.source, help="The network to copy.")
        parser.add_argument(
            "--network", default=DEFAULTS.network, help="Subdomain of the copy (dropped after)."
        )
        parser.add_argument("--keep", action="store_true", help="Keep the copy afterwards.")

    def handle(self, *args, **options):
        fields = PagesOptions.__dataclass_fields__
        chosen = PagesOptions(**{key: value for key, value in options.items() if key in fields})
        try:
            result = pages_benchmark_run(chosen, say=self.stdout.write)
        except PagesRunError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{'page':32} {'req/s':>8} {'ratio':>6} {'queries':>7}")
        self.stdout.write(f"{'floor':32} {result['floor_rps']:>8.0f} {1:>6.2f}")
        for name, row in result["pages"].items():
            pool = f" pool/persistent {row['pool_vs_persistent']:.2f}" if "pool_vs_persistent" in row else ""
            self.stdout.write(f"{name:32} {row['rps']:>8.0f} {row['ratio']:>6.2f} {row['queries']:>7}{pool}")
        self.stdout.write(json.dumps(result))

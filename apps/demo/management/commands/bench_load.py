"""Load benchmark of the storefront, checkout, supplier portal and webhook endpoint, with locust, on loopback.

    python manage.py bench_load --users 10 --run-time 30s

Clones the demo network (`seed_demo` first) into a copy of its own, prepares customers, designs and offered
jobs there, starts gunicorn and a local Stripe server on free loopback ports, runs locust headless for the given
users and time, drops the copy and prints, as the last line, JSON: per endpoint the requests, failures,
p50/p95/p99 ms and requests/s, and the totals (apps/demo/load/). `--url` uses a running server instead.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from apps.demo.load.run import LoadOptions, LoadRunError, load_benchmark_run

DEFAULTS = LoadOptions()


class Command(BaseCommand):
    help = "Load-tests a copy of the demo network with locust on loopback; JSON on the last line."

    def add_arguments(self, parser):
        parser.add_argument(
            "--users", type=int, default=DEFAULTS.users, help="Concurrent users (10+: every kind)."
        )
        parser.add_argument(
            "--spawn-rate", type=float, default=None, help="Users started per second (all at once)."
        )
        parser.add_argument(
            "--run-time", default=DEFAULTS.run_time, help="locust syntax: 30s, 2m (10 min at most)."
        )
        parser.add_argument("--source", default=DEFAULTS.source, help="The network to copy.")
        parser.add_argument(
            "--network", default=DEFAULTS.network, help="Subdomain of the copy (dropped after)."
        )
        parser.add_argument("--workers", type=int, default=DEFAULTS.workers, help="gunicorn sync workers.")
        parser.add_argument(
            "--job-orders", type=int, default=DEFAULTS.job_orders, help="Orders planned as offers."
        )
        parser.add_argument(
            "--suppliers", type=int, default=DEFAULTS.suppliers, help="Workshops taking part."
        )
        parser.add_argument(
            "--broker-db", type=int, default=DEFAULTS.broker_db, help="Redis db for queued tasks."
        )
        parser.add_argument("--url", default="", help="A running loopback server on this database instead.")
        parser.add_argument(
            "--keep", action="store_true", help="Keep the copy and the run's logs afterwards."
        )

    def handle(self, *args, **options):
        fields = LoadOptions.__dataclass_fields__
        chosen = LoadOptions(**{key: value for key, value in options.items() if key in fields})
        try:
            result = load_benchmark_run(chosen, say=self.stdout.write)
        except LoadRunError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps(result))

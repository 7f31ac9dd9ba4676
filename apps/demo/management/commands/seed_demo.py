from django.conf import settings
from django.core.management.base import BaseCommand

from apps.demo.seed import DEMO_PASSWORD, demo_logins, demo_seed


class Command(BaseCommand):
    help = "Seeds the demo network (idempotent) and prints its URLs and logins."

    def handle(self, *args, **options):
        demo_seed()
        port = settings.PLATFORM_PORT
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Cloud Factory is ready:"))
        self.stdout.write(f"  Public site (sign up a network): http://{settings.PLATFORM_DOMAIN}:{port}/")
        self.stdout.write(
            f"  Demo network storefront:         http://demo.{settings.PLATFORM_DOMAIN}:{port}/"
        )
        self.stdout.write(f"  Logins (password for all: {DEMO_PASSWORD}):")
        for who, url, email in demo_logins():
            self.stdout.write(f"    {who:<22} {email:<34} {url}")

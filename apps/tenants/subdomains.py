"""Rules for a network's subdomain, which is also the base of its PostgreSQL schema name."""

import re

from django.core.exceptions import ValidationError

# A DNS label: lower-case letters, digits and inner hyphens, 3 to 40 characters (schema names stay short).
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$")

RESERVED_SUBDOMAINS = frozenset(
    {
        "www",
        "admin",
        "api",
        "app",
        "public",
        "static",
        "media",
        "assets",
        "cdn",
        "mail",
        "smtp",
        "imap",
        "ftp",
        "ns1",
        "ns2",
        "dev",
        "test",
        "staging",
        "status",
        "support",
        "help",
        "docs",
        "blog",
        "billing",
        "stripe",
        "webhooks",
        "auth",
        "login",
        "signup",
        "account",
        "accounts",
        "dashboard",
        "root",
        "postgres",
        "information-schema",
        "tenant-base",
        "template",
        "localhost",
    }
)


def validate_subdomain(value: str) -> None:
    if value != value.lower():
        raise ValidationError("Use lower-case letters only.", code="case")
    if not _LABEL.match(value):
        raise ValidationError(
            "Use 3–40 lower-case letters, digits and hyphens, starting and ending with a letter or digit.",
            code="syntax",
        )
    if "--" in value:
        raise ValidationError("Two hyphens in a row are not allowed.", code="syntax")
    if value in RESERVED_SUBDOMAINS or value.startswith("pg-"):
        raise ValidationError(f"“{value}” is reserved; please choose another subdomain.", code="reserved")


def schema_name_for(subdomain: str) -> str:
    """Hyphens are not allowed in schema names; underscores are not allowed in subdomains, so this is 1:1."""
    return "t_" + subdomain.replace("-", "_")

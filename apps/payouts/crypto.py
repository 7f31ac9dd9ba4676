"""Encryption at rest for secrets (tenant Stripe keys), with a Fernet key from the environment."""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=1)
def _fernet() -> Fernet:
    try:
        return Fernet(settings.FIELD_ENCRYPTION_KEY)
    except ValueError:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be a url-safe base64-encoded 32-byte key."
        ) from None


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode() if plaintext else ""


def decrypt(ciphertext: str) -> str:
    if not ciphertext:
        return ""
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with the current FIELD_ENCRYPTION_KEY."
        ) from None


def masked(secret: str) -> str:
    """What staff see of a stored secret: its kind and last four characters, never the whole."""
    if not secret:
        return ""
    prefix = secret.split("_", 2)
    kind = "_".join(prefix[:2]) + "_" if len(prefix) > 2 else ""
    return f"{kind}…{secret[-4:]}"

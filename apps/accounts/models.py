from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.functional import cached_property

from apps.accounts.roles import Role

# The column's width (RFC 5321's path limit). Forms.EmailField allows 320 by default: every e-mail input that
# becomes a user says max_length=EMAIL_MAX_LENGTH, or a long address is a DataError instead of a field error.
EMAIL_MAX_LENGTH = 254


class EmailUserManager(UserManager):
    """Users sign in with their e-mail address; there is no separate username."""

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person in one schema: the SaaS operator's users in public, a network's users in its own schema."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("e-mail address", unique=True, max_length=EMAIL_MAX_LENGTH)
    full_name = models.CharField(max_length=150, blank=True)
    # Signed up on a page anyone can reach and not yet confirmed from the e-mail (apps/accounts/confirmation.py):
    # such an account is also inactive. Tells it apart from an account staff deactivated, which stays off.
    email_confirmation_pending = models.BooleanField(default=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = EmailUserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @cached_property
    def role_names(self) -> frozenset[str]:
        """The user's role groups, read once per instance: admin and portal checks ask several times a request."""
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, role: Role) -> bool:
        return self.is_active and role in self.role_names


class ApiTokenQuerySet(models.QuerySet):
    def active_at(self, moment):
        """Tokens neither revoked nor expired at `moment` (ApiToken.is_active_at for one row)."""
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=moment)
        )


class ApiToken(models.Model):
    """A personal access token: an API client acting as its user, never as more (apps/accounts/tokens.py).

    Only the SHA-256 of the token is stored; `prefix` (public, part of the token) finds the row. The row lives in
    the user's network schema, so a token means nothing on another network's host. Revoking keeps the row (with
    `revoked_at`) so the user and staff still see what the token was and when it was last used.
    """

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self):
        # What the admin's "Recent actions" keeps (LogEntry.object_repr): the name and the row, no part of a key
        # (a migrated key's prefix is its first characters, migration 0004).
        return f"{self.name} (token #{self.pk})"

    def is_active_at(self, moment) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > moment)

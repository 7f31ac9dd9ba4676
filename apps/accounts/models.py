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

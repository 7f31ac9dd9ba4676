"""Every input that fills a column is at most as long as the column: too long is a field error, never a
DataError from PostgreSQL (a 300-character e-mail on sign-up was a 500)."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.db import models
from rest_framework import serializers

import apps
from apps.accounts.forms import CustomerSignupForm
from apps.accounts.models import EMAIL_MAX_LENGTH, User
from apps.portal.forms import ApplyForm
from apps.suppliers.models import AssetOwner, Carrier
from apps.tenants.forms import NetworkSignupForm
from apps.tenants.models import Tenant

INPUT_MODULES = ("forms", "serializers", "admin")


def _input_classes() -> list[type]:
    """Every form and serializer class defined in the apps' forms, serializers and admin modules."""
    found = []
    for info in pkgutil.walk_packages(apps.__path__, "apps."):
        leaf = info.name.rsplit(".", 1)[-1]
        if not any(leaf.startswith(name) for name in INPUT_MODULES) or ".demo" in info.name:
            continue
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(
                cls, forms.BaseForm | serializers.BaseSerializer
            ):
                found.append(cls)
    return found


def _text_inputs(cls) -> dict[str, object]:
    """name → field for the text inputs of a form or writable serializer class."""
    if issubclass(cls, forms.BaseForm):
        return {name: f for name, f in cls.base_fields.items() if isinstance(f, forms.CharField)}
    try:
        fields = cls().fields
    except (AssertionError, AttributeError, TypeError):  # abstract bases, list serializers
        return {}
    return {
        field.source or name: field
        for name, field in fields.items()
        if isinstance(field, serializers.CharField) and not field.read_only
    }


def _column_max_length(model, name: str) -> int | None:
    try:
        column = model._meta.get_field(name)
    except Exception:  # not a column of this model
        return None
    if isinstance(column, models.CharField) and not column.choices:
        return column.max_length
    return None


def _too_long(cls, model, names=None, renamed=None) -> list[str]:
    problems = []
    for name, field in _text_inputs(cls).items():
        if names is not None and name not in names:
            continue
        column = (renamed or {}).get(name, (model, name))
        limit = _column_max_length(*column) if column else None
        if limit is not None and (field.max_length is None or field.max_length > limit):
            problems.append(f"{cls.__module__}.{cls.__name__}.{name}: {field.max_length} > column {limit}")
    return problems


def test_the_walk_finds_the_forms_and_serializers():
    classes = _input_classes()
    assert NetworkSignupForm in classes and ApplyForm in classes
    assert sum(issubclass(cls, serializers.ModelSerializer) for cls in classes) >= 5


def test_every_model_form_and_model_serializer_field_fits_its_column():
    problems = []
    for cls in _input_classes():
        if issubclass(cls, forms.BaseModelForm) and getattr(cls._meta, "model", None):
            problems += _too_long(cls, cls._meta.model)
        elif issubclass(cls, serializers.ModelSerializer) and hasattr(getattr(cls, "Meta", None), "model"):
            problems += _too_long(cls, cls.Meta.model)
    assert not problems, "\n".join(problems)


def test_every_email_input_fits_the_user_email_column():
    """forms.EmailField defaults to 320 characters; the column holds 254."""
    problems = []
    for cls in _input_classes():
        for name, field in _text_inputs(cls).items():
            if isinstance(field, forms.EmailField | serializers.EmailField) and (
                field.max_length is None or field.max_length > EMAIL_MAX_LENGTH
            ):
                problems.append(f"{cls.__name__}.{name}: {field.max_length}")
    assert not problems, problems


@pytest.mark.parametrize(
    ("form", "model", "renamed"),
    [
        (NetworkSignupForm, Tenant, {"subdomain": (Tenant, "slug"), "admin_email": (User, "email")}),
        (CustomerSignupForm, User, {"password": None}),  # stored hashed, not as typed
        (ApplyForm, AssetOwner, {"contact_email": (User, "email")}),
        (ApplyForm, Carrier, {"contact_email": (User, "email")}),
    ],
    ids=["network-signup", "customer-signup", "apply-workshop", "apply-carrier"],
)
def test_sign_up_forms_fit_the_rows_they_create(form, model, renamed):
    assert not _too_long(form, model, renamed=renamed)

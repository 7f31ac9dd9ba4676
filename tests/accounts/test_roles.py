"""Roles are groups; a user's roles are read once per request-sized lifetime, not once per check."""

import pytest

from apps.accounts.backends import ThrottledModelBackend
from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.accounts.services import user_create, user_grant_role

pytestmark = pytest.mark.django_db


def test_role_checks_query_once_and_see_granted_roles(in_tenant_a, django_assert_num_queries):
    user = user_create(email="roles@example.test", password=None, role=Role.STAFF)
    user = User.objects.get(pk=user.pk)
    assert user.has_role(Role.STAFF)  # reads the groups once
    with django_assert_num_queries(0):
        assert not user.has_role(Role.FINANCE)
        assert not user.has_role(Role.CUSTOMER)
        assert user.has_role(Role.STAFF)
    user_grant_role(user=user, role=Role.FINANCE)
    assert user.has_role(Role.FINANCE)


def test_inactive_users_have_no_roles(in_tenant_a):
    user = user_create(email="gone@example.test", password=None, role=Role.STAFF)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert not User.objects.get(pk=user.pk).has_role(Role.STAFF)


def test_the_signed_in_user_is_loaded_with_their_roles_in_one_query(in_tenant_a, django_assert_num_queries):
    """Every signed-in request loads its user through the backend: the roles come in the same statement."""
    staff = user_create(email="one-query@example.test", password=None, role=Role.STAFF)
    user_grant_role(user=staff, role=Role.FINANCE)
    plain = user_create(email="no-roles@example.test", password=None, role=Role.STAFF)
    plain.groups.clear()
    backend = ThrottledModelBackend()
    with django_assert_num_queries(1):
        loaded = backend.get_user(staff.pk)
        assert loaded.has_role(Role.STAFF) and loaded.has_role(Role.FINANCE)
        assert not loaded.has_role(Role.CUSTOMER)
    with django_assert_num_queries(1):
        assert backend.get_user(plain.pk).role_names == frozenset()
    User.objects.filter(pk=staff.pk).update(is_active=False)
    assert backend.get_user(staff.pk) is None
    assert backend.get_user(10**9) is None

"""The authentication backend: Django's model backend behind the failed sign-in throttle.

Every password sign-in goes through `authenticate()` and so through here, whichever form started it: the
network's login page, the network's admin login and the operator admin on the public site. Every signed-in
request loads its user through `get_user()`, with the user's role names in the same query.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.postgres.aggregates import ArrayAgg
from django.core.exceptions import PermissionDenied

from apps.accounts import throttle


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            # No client to attribute the attempt to (a shell, a management command): nothing to throttle.
            return super().authenticate(request, username=username, password=password, **kwargs)
        email = username if username is not None else kwargs.get("email", "")
        remaining = throttle.login_lockout_remaining(request=request, email=email)
        if remaining:
            # The form reads this to say why; PermissionDenied stops authenticate() trying other backends.
            request.login_locked_for = remaining
            raise PermissionDenied("sign-in throttled")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            throttle.login_failure_record(request=request, email=email)
            remaining = throttle.login_lockout_remaining(request=request, email=email)
            if remaining:
                request.login_locked_for = remaining
            # Ends authenticate() here: the ModelBackend listed after this one (for sessions only) would check
            # the same password a second time.
            raise PermissionDenied("wrong e-mail or password")
        throttle.login_success_record(request=request, email=email)
        return user

    def get_user(self, user_id):
        """The session's user, with `role_names` read in the same statement: every page's header, portal and
        admin checks ask for the roles, which would otherwise be a second query on every signed-in request."""
        user = (
            get_user_model()
            ._default_manager.annotate(role_name_list=ArrayAgg("groups__name"))
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        # A user without groups aggregates one NULL (the outer join's empty row).
        user.__dict__["role_names"] = frozenset(name for name in user.role_name_list if name)
        return user

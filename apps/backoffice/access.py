"""Who may use the back office: the network's platform staff (and superusers). Everyone else gets a 404."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from apps.accounts.roles import Role


def is_network_staff(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.has_role(Role.STAFF))
    )


def staff_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_network_staff(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapped

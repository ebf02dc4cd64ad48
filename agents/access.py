"""Role checks for pages and API endpoints outside the inbox. Roles nest: an admin may do
what a supervisor may, a supervisor what an agent may."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from agents.models import Role

RANK = {Role.AGENT: 1, Role.SUPERVISOR: 2, Role.ADMIN: 3}


def has_role(user, role) -> bool:
    profile = getattr(user, "agent_profile", None) if user.is_authenticated else None
    return profile is not None and RANK[profile.role] >= RANK[role]


def role_required(role):
    """View decorator: login first, then 403 below `role`."""

    def decorator(view):
        @wraps(view)
        @login_required
        def checked(request, *args, **kwargs):
            if not has_role(request.user, role):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return checked

    return decorator

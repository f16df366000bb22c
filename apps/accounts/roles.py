"""Roles that single sign-on grants from the provider's groups (mapping in settings.OIDC_GROUP_ROLES)."""

from collections.abc import Iterable
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class Role(StrEnum):
    ADMIN = "admin"  # staff and superuser
    STAFF = "staff"  # the admin site, with the permissions granted there
    MODERATOR = "moderator"  # member of the moderators group


def roles_for_groups(groups: Iterable[str]) -> set[Role]:
    """The roles the provider's groups grant; groups without a mapping grant nothing."""
    roles = set()
    for group in groups:
        role = settings.OIDC_GROUP_ROLES.get(group)
        if role is None:
            continue
        try:
            roles.add(Role(role))
        except ValueError:
            raise ImproperlyConfigured(
                f"OIDC_GROUP_ROLES maps {group!r} to {role!r}; roles are {', '.join(r.value for r in Role)}."
            ) from None
    return roles

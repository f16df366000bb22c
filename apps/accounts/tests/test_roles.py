import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured

from apps.accounts.roles import Role, roles_for_groups
from apps.accounts.selectors import user_roles
from apps.accounts.services import user_roles_sync
from apps.accounts.tests.factories import make_user


def test_the_default_mapping_covers_the_terraform_groups():
    assert roles_for_groups(["admin", "organizer", "moderator", "participant", "unknown"]) == {
        Role.ADMIN,
        Role.STAFF,
        Role.MODERATOR,
    }


def test_a_mapping_to_an_unknown_role_is_a_configuration_error(settings):
    settings.OIDC_GROUP_ROLES = {"admin": "root"}

    with pytest.raises(ImproperlyConfigured, match="roles are admin, staff, moderator"):
        roles_for_groups(["admin"])


@pytest.mark.django_db
def test_syncing_roles_leaves_other_groups_alone():
    user = make_user()
    reviewers = Group.objects.create(name="photo reviewers")
    user.groups.add(reviewers)
    user_roles_sync(user=user, roles={Role.ADMIN, Role.MODERATOR})
    assert user_roles(user=user) == ["admin", "moderator", "staff"]

    user_roles_sync(user=user, roles=set())

    user.refresh_from_db()
    assert user_roles(user=user) == []
    assert list(user.groups.all()) == [reviewers]

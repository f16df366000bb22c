"""Bench populations are bulk-created students who, like every student who reaches matching
and chat, have accepted the current terms and privacy policy (setup, not the thing measured)."""


def accept_current_policies(user_ids: list[int]) -> None:
    from django.utils import timezone

    from apps.policies.models import PolicyAcceptance
    from apps.policies.selectors import consent_versions_current

    now = timezone.now()
    PolicyAcceptance.objects.bulk_create(
        [
            PolicyAcceptance(user_id=user_id, version=version, accepted_at=now, ip_address="127.0.0.1")
            for user_id in user_ids
            for version in consent_versions_current()
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )

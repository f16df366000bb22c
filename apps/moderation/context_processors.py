from apps.moderation.notice_pages import notice_banner_for_user


def moderation_notice_banner(request) -> dict:
    """The banner of an unacknowledged moderation notice. A callable, so only pages that show
    it query, and the notices page itself (which shows everything) never does."""

    def banner() -> dict | None:
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        if user is None or not user.is_authenticated or (match and match.view_name.startswith("moderation:notices")):
            return None
        return notice_banner_for_user(user_id=user.pk)

    return {"moderation_notice": banner}

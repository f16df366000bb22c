from apps.chat.selectors import unread_total_for_user


def chat_unread(request) -> dict:
    """The unread badge of the Chats tab. A callable, so only a page that shows it counts, and a
    page that does not (the cookie-free event widget) never touches the session."""

    def count() -> int:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        return unread_total_for_user(user_id=user.pk)

    return {"chat_unread": count}

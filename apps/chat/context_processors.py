from functools import partial

from apps.chat.selectors import unread_total_for_user


def chat_unread(request) -> dict:
    """The unread badge of the Chats tab; a callable, so only a page that shows it counts."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"chat_unread": partial(unread_total_for_user, user_id=user.pk)}

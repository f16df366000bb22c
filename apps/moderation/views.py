import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.moderation import blocks as moderation_blocks
from apps.moderation import text as moderation_text
from apps.moderation.media import chat_image_response, image_response
from apps.moderation.selectors import blocks_made_by, hidden_words_for_user


def image(request: HttpRequest, token: str) -> HttpResponse:
    viewer_id = request.user.pk if request.user.is_authenticated else None
    return image_response(token=token, viewer_id=viewer_id, viewer_is_staff=request.user.is_staff)


@login_required
def chat_image(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    return chat_image_response(key=key, viewer_id=request.user.pk, viewer_is_staff=request.user.is_staff)


@login_required
def safety_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        word = request.POST.get("word", "")
        try:
            if request.POST.get("remove"):
                moderation_text.hidden_word_remove(user=request.user, word=word)
            else:
                moderation_text.hidden_word_add(user=request.user, word=word)
        except DomainError as error:
            messages.error(request, str(error.message))
        return redirect("moderation:settings")
    return render(request, "moderation/settings.html", {"hidden_words": hidden_words_for_user(user_id=request.user.pk)})


@login_required
def blocks_page(request: HttpRequest) -> HttpResponse:
    """The people I blocked, each with an unblock button (POST `user_id`)."""
    if request.method == "POST":
        try:
            user_id = int(request.POST.get("user_id", ""))
        except ValueError:
            user_id = 0
        nicknames = {block["user_id"]: block["nickname"] for block in blocks_made_by(user_id=request.user.pk)}
        nickname = nicknames.get(user_id) or _("this person")
        try:
            moderation_blocks.block_remove(blocker=request.user, blocked_user_id=user_id)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("You unblocked %(nickname)s. Chats that ended stay closed.") % {"nickname": nickname})
        return redirect("moderation:blocks")
    return render(request, "moderation/blocks.html", {"blocks": blocks_made_by(user_id=request.user.pk)})

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.moderation import appeals, notices
from apps.moderation import blocks as moderation_blocks
from apps.moderation import text as moderation_text
from apps.moderation.media import chat_image_response, image_response
from apps.moderation.notice_pages import notices_page_for_user
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


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    return _notices_page(request, user_id=request.user.pk, page_url=reverse("moderation:notices"))


def notice_list_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """The same page through the signed link of a notice e-mail: a banned student cannot sign in."""
    try:
        user_id = notices.notice_link_user_id(token=token)
    except DomainError as error:
        return render(request, "moderation/notices.html", {"link_error": error.message}, status=400)
    return _notices_page(request, user_id=user_id, page_url=request.path)


def _notices_page(request: HttpRequest, *, user_id: int, page_url: str) -> HttpResponse:
    context = {"page_url": page_url}
    if request.method == "POST" and "acknowledge" in request.POST:
        notices.notices_acknowledge(user_id=user_id)
        return redirect(page_url)
    if request.method == "POST":
        sanction_id = request.POST.get("sanction", "")
        try:
            appeals.appeal_create(
                user_id=user_id, sanction_id=int(sanction_id) if sanction_id.isdigit() else 0, text=request.POST.get("text", "")
            )
        except DomainError as error:
            # The page comes back with the message at the form and the student's words kept.
            context.update(appeal_error=error.message, appeal_sanction=sanction_id, appeal_text=request.POST.get("text", ""))
            return render(request, "moderation/notices.html", {**context, **notices_page_for_user(user_id=user_id)}, status=400)
        messages.success(request, _("We received your appeal. A moderator will review it and let you know."))
        return redirect(page_url)
    return render(request, "moderation/notices.html", {**context, **notices_page_for_user(user_id=user_id)})

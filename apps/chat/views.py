from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.chat import digest as chat_digest
from apps.chat import rooms as chat_rooms
from apps.chat import selectors
from apps.core.errors import DomainError
from apps.moderation.models import ReportReason
from apps.moderation.selectors import blocked_user_ids, hidden_words_for_user
from apps.policies.selectors import consent_problem


@login_required
def room_list(request: HttpRequest) -> HttpResponse:
    rooms = selectors.room_list_for_user(user_id=request.user.pk)
    context = {
        "rooms": [room for room in rooms if not room["is_archived"]],
        "archived_rooms": [room for room in rooms if room["is_archived"]],
        "idle_days": settings.CHAT_IDLE_ARCHIVE_DAYS,
    }
    return render(request, "chat/rooms.html", context)


@login_required
def room_detail(request: HttpRequest, room_id: int) -> HttpResponse:
    try:
        room, may_post, lobby_event = selectors.room_page_for_user(
            user_id=request.user.pk, room_id=room_id, is_staff=request.user.is_staff
        )
    except DomainError:
        raise Http404 from None
    safety = {
        "blocked_ids": sorted(blocked_user_ids(user_id=request.user.pk)),
        "hidden_words": hidden_words_for_user(user_id=request.user.pk),
    }
    context = {"room": room, "may_post": may_post, "lobby_event": lobby_event, "safety": safety}
    context["report_reasons"] = ReportReason.choices
    context["idle_days"] = settings.CHAT_IDLE_ARCHIVE_DAYS
    context["consent_needed"] = not request.user.is_staff and consent_problem(user_id=request.user.pk) is not None
    return render(request, "chat/room.html", context)


@login_required
@require_POST
def room_leave(request: HttpRequest, room_id: int) -> HttpResponse:
    try:
        chat_rooms.room_leave(user=request.user, room_id=room_id)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("chat:rooms")


@login_required
def lobby_room(request: HttpRequest, event_id: int) -> HttpResponse:
    try:
        room = chat_rooms.lobby_room_join(user=request.user, event_id=event_id)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("events:lobby", event_id)
    return redirect("chat:room", room.pk)


def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Digest links mailed before the per-kind unsubscribe (accounts:unsubscribe).

    GET asks for confirmation (mail scanners follow links); POST switches the digest off.
    """
    if request.method == "POST":
        try:
            chat_digest.digest_unsubscribe_legacy(token=token)
        except DomainError as error:
            return render(request, "chat/unsubscribe.html", {"error": error.message}, status=400)
        return render(request, "chat/unsubscribe.html", {"done": True, "message": _("You will no longer get chat digests.")})
    return render(request, "chat/unsubscribe.html", {"token": token})

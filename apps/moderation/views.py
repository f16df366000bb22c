import uuid

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.errors import DomainError
from apps.moderation import services
from apps.moderation.media import chat_image_response, image_response
from apps.moderation.selectors import hidden_words_for_user


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
                services.hidden_word_remove(user=request.user, word=word)
            else:
                services.hidden_word_add(user=request.user, word=word)
        except DomainError as error:
            messages.error(request, str(error.message))
        return redirect("moderation:settings")
    return render(request, "moderation/settings.html", {"hidden_words": hidden_words_for_user(user_id=request.user.pk)})


@login_required
def account_export(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(services.account_export(user=request.user), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="matchminds-export.json"'
    return response


@login_required
@require_POST
def account_delete(request: HttpRequest) -> HttpResponse:
    try:
        services.account_delete(user=request.user, password=request.POST.get("password", ""))
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("moderation:settings")
    logout(request)
    messages.success(request, _("Your account and your data have been deleted."))
    return redirect("home")

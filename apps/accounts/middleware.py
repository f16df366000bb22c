"""Pages after sign-in are in the account's language (`User.language`), whatever the browser asks.

Runs after AuthenticationMiddleware; before sign-in, LocaleMiddleware's choice (the language
cookie, then Accept-Language) stands. The language switcher updates the account too
(`settings_views.set_language`), so the two never disagree for long.
"""

from django.conf import settings
from django.utils import translation

from apps.accounts.models import Language


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # No session cookie, no signed-in user: the session stays untouched, so public pages
        # (the embeddable widget) keep varying on Accept-Language only, not on Cookie.
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = user.language
            if language in Language.values and language != getattr(request, "LANGUAGE_CODE", None):
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)

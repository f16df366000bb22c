"""A URLconf whose one view fails, for the error-reporting test."""

from django.http import HttpRequest, HttpResponse
from django.urls import path


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the ledger does not balance")


urlpatterns = [path("broken/", broken)]

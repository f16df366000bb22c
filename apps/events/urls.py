from django.urls import path

from apps.events import public_views, views

app_name = "events"

# Fixed paths come before the slug patterns; models.RESERVED_SLUGS keeps slugs off them.
urlpatterns = [
    path("", views.event_list, name="list"),
    path("mine/", public_views.my_events, name="mine"),
    path("mine/calendar/reset/", public_views.calendar_reset, name="calendar-reset"),
    path("calendar/<str:token>.ics", public_views.calendar_feed, name="calendar-feed"),
    path("signups/<int:signup_id>/cancel/", public_views.signup_cancel, name="signup-cancel"),
    path("<int:event_id>/", views.event_lobby, name="lobby"),
    path("<slug:slug>/", public_views.event_public, name="public"),
    path("<slug:slug>/join/", public_views.event_join, name="join"),
    path("<slug:slug>/signup/", public_views.signup_create, name="signup"),
    path("<slug:slug>/event.ics", public_views.event_ics, name="ics"),
    path("<slug:slug>/og.png", public_views.og_image, name="og-image"),
    path("<slug:slug>/qr.png", public_views.qr_image, name="qr"),
    path("<slug:slug>/share/", public_views.share_kit, name="share"),
]

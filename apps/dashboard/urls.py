from django.urls import path

from apps.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.live, name="live"),
    path("history/", views.history, name="history"),
]

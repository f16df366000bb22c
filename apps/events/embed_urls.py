from django.urls import path

from apps.events import embed_views

app_name = "embed"

urlpatterns = [
    path("<slug:slug>/", embed_views.widget_page, name="widget"),
    path("<slug:slug>/data.json", embed_views.widget_data, name="widget-data"),
]

from django.urls import path

from apps.moderation import views

app_name = "moderation"

urlpatterns = [
    path("images/<str:token>/", views.image, name="image"),
    path("chat-images/<uuid:key>/", views.chat_image, name="chat-image"),
    path("blocks/", views.blocks_page, name="blocks"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/link/<str:token>/", views.notice_list_by_link, name="notices-link"),
    path("", views.safety_settings, name="settings"),
]

from django.urls import path

from apps.chat import views

app_name = "chat"

urlpatterns = [
    path("", views.room_list, name="rooms"),
    path("<int:room_id>/", views.room_detail, name="room"),
    path("<int:room_id>/leave/", views.room_leave, name="leave"),
    path("lobby/<int:event_id>/", views.lobby_room, name="lobby"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]

from django.urls import path

from apps.chat import api

urlpatterns = [
    path("chat/rooms/", api.RoomListApi.as_view(), name="api-chat-rooms"),
    path("chat/rooms/<int:room_id>/messages/", api.RoomHistoryApi.as_view(), name="api-chat-history"),
    path("chat/rooms/<int:room_id>/leave/", api.RoomLeaveApi.as_view(), name="api-chat-leave"),
    path("safety/chat-images/", api.ChatImageApi.as_view(), name="api-chat-images"),
]

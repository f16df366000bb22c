"""The Channels tutorial chat consumer, as the baseline our chat must match or beat."""

import json
import os
from urllib.parse import parse_qs

import django
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.reference.settings")
django.setup()


class ChatConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.room_group_name = "chat_" + parse_qs(self.scope["query_string"].decode())["room"][0]
        await self.channel_layer.group_add(self.room_group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, close_code):
        await self.channel_layer.group_discard(self.room_group_name, self.channel_name)

    async def receive(self, text_data):
        data = json.loads(text_data)
        await self.channel_layer.group_send(self.room_group_name, {"type": "chat.message", "message": data})

    async def chat_message(self, event):
        await self.send(text_data=json.dumps(event["message"]))


application = ProtocolTypeRouter({"websocket": URLRouter([path("ws/", ChatConsumer.as_asgi())])})

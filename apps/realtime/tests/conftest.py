import pytest
from channels.testing import WebsocketCommunicator

from matchminds.asgi import application


@pytest.fixture
def connect_as(transactional_db):
    """Open a WebSocket to the real ASGI app as a signed-in user (session cookie)."""
    from asgiref.sync import sync_to_async
    from django.test import Client

    opened: list[WebsocketCommunicator] = []

    async def connect(user, *, origin: bytes = b"http://localhost", app=application):
        client = Client()
        await sync_to_async(client.force_login)(user)
        cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
        communicator = WebsocketCommunicator(
            app, "/ws/", headers=[(b"origin", origin), (b"cookie", cookie), (b"host", b"localhost")]
        )
        connected, _ = await communicator.connect()
        assert connected
        opened.append(communicator)
        return communicator

    yield connect

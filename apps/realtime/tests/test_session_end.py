"""A password change closes the account's other sockets; the changing browser's stay open."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from apps.accounts import credentials
from apps.accounts.tests.factories import PASSWORD, make_user
from matchminds.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "another-long-passphrase-42"  # noqa: S105 - test data


def _signed_in_browser(email: str) -> Client:
    browser = Client()
    assert browser.login(email=email, password=PASSWORD)
    return browser


async def _socket(browser: Client) -> WebsocketCommunicator:
    cookie = f"sessionid={browser.cookies['sessionid'].value}".encode()
    communicator = WebsocketCommunicator(
        application, "/ws/", headers=[(b"origin", b"http://localhost"), (b"cookie", cookie), (b"host", b"localhost")]
    )
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
    return communicator


async def test_a_password_change_closes_the_other_browsers_sockets_with_4411_and_its_reason():
    # Given a student with a socket open in this browser and in another one, and a stranger
    student = await sync_to_async(make_user)(email="sockets@example.com")
    stranger = await sync_to_async(make_user)(email="stranger@example.com")
    here = await sync_to_async(_signed_in_browser)("sockets@example.com")
    elsewhere = await sync_to_async(_signed_in_browser)("sockets@example.com")
    strangers_browser = await sync_to_async(_signed_in_browser)(stranger.email)
    here_socket, elsewhere_socket = await _socket(here), await _socket(elsewhere)
    strangers_socket = await _socket(strangers_browser)

    # When the password is changed from this browser
    await sync_to_async(credentials.password_change)(
        user=student, current_password=PASSWORD, new_password=NEW_PASSWORD, keep_session_key=here.session.session_key
    )

    # Then the other browser's socket is closed as signed out, saying why
    assert await elsewhere_socket.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": 4411,
        "reason": "password_changed",
    }
    # And this browser's socket, and everyone else's, stay open and answer
    for socket in (here_socket, strangers_socket):
        assert await socket.receive_nothing(timeout=0.3)
        await socket.send_json_to({"type": "ping"})
        assert (await socket.receive_json_from(timeout=5))["type"] == "pong"
    # And the other browser cannot come back with its old session
    again = WebsocketCommunicator(
        application,
        "/ws/",
        headers=[
            (b"origin", b"http://localhost"),
            (b"cookie", f"sessionid={elsewhere.cookies['sessionid'].value}".encode()),
            (b"host", b"localhost"),
        ],
    )
    await again.connect()
    assert (await again.receive_output(timeout=5))["code"] == 4401
    for socket in (here_socket, elsewhere_socket, strangers_socket, again):
        await socket.disconnect()

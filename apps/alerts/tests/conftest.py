import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class HttpSink:
    """A real local HTTP server that records JSON bodies and answers with scripted statuses."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict]] = []
        self.statuses: list[int] = []  # consumed one per request; 200 once empty
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                sink.requests.append((self.path, json.loads(body)))
                status = sink.statuses.pop(0) if sink.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"error")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def bodies(self, path: str) -> list[dict]:
        return [body for request_path, body in self.requests if request_path == path]


@pytest.fixture
def http_sink() -> Iterator[HttpSink]:
    sink = HttpSink()
    thread = threading.Thread(target=sink.server.serve_forever, daemon=True)
    thread.start()
    yield sink
    sink.server.shutdown()
    sink.server.server_close()

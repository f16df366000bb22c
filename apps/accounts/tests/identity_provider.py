"""A small fake of a Korean mobile identity service (PASS/NICE-shaped), served over real HTTP.

GET /start shows the provider's page (name, birth date, gender, phone); POST /confirm
answers with a page that posts the signed callback back to the site's return address, as
the real services do. The CI is derived from the phone number and birth date, so the same
"person" always gets the same CI. Tests also sign callbacks themselves (`signed_fields`) to
forge, replay and age them.
"""

import base64
import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from apps.accounts.identity_verifiers import callback_signature

CLIENT_ID = "matchminds-test"
CLIENT_SECRET = "fake-provider-shared-secret"  # noqa: S105 - a throwaway test secret
HASH_KEY = "test-identity-hash-key"


def person_ci(*, phone: str, birth_date: str) -> str:
    return base64.b64encode(hashlib.sha512(f"ci:{phone}:{birth_date}".encode()).digest()).decode()


@dataclass
class IdentityProvider:
    url: str

    def settings(self) -> dict[str, str]:
        return {
            "IDENTITY_VERIFIER": "mobile",
            "IDENTITY_PROVIDER_URL": self.url,
            "IDENTITY_CLIENT_ID": CLIENT_ID,
            "IDENTITY_CLIENT_SECRET": CLIENT_SECRET,
            "IDENTITY_HASH_KEY": HASH_KEY,
        }

    def signed_fields(self, **fields) -> dict[str, str]:
        return sign(**fields)


def sign(
    *,
    request_id: str,
    ci: str,
    name: str = "김민지",
    birth_date: str = "20010517",
    gender: str = "F",
    issued_at: int | None = None,
    secret: str = CLIENT_SECRET,
    client_id: str = CLIENT_ID,
) -> dict[str, str]:
    fields = {
        "client_id": client_id,
        "request_id": request_id,
        "ci": ci,
        "name": name,
        "birth_date": birth_date,
        "gender": gender,
        "issued_at": str(int(time.time()) if issued_at is None else issued_at),
    }
    fields["signature"] = callback_signature(fields=fields, secret=secret)
    return fields


_START_PAGE = """<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>휴대폰 본인확인</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:sans-serif;max-width:380px;margin:24px auto;padding:0 12px}}label{{display:block;margin:10px 0 4px}}
input,select,button{{width:100%;padding:8px;font-size:16px}}button{{margin-top:16px;background:#e4002b;color:#fff;border:0;border-radius:6px}}</style>
</head><body><h1>휴대폰 본인확인 (테스트 기관)</h1>
<form method="post" action="/confirm">
<input type="hidden" name="request_id" value="{request_id}"><input type="hidden" name="return_url" value="{return_url}">
<label for="name">이름</label><input id="name" name="name" required>
<label for="birth">생년월일 (8자리)</label><input id="birth" name="birth_date" placeholder="20010517" required>
<label for="gender">성별</label><select id="gender" name="gender">
<option value="F">여자</option><option value="M">남자</option></select>
<label for="phone">휴대폰 번호</label><input id="phone" name="phone" required>
<button type="submit">인증하기</button></form></body></html>"""

_RETURN_PAGE = """<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>인증 완료</title></head>
<body><p>본인확인이 끝났습니다. 서비스로 돌아갑니다.</p><form id="back" method="post" action="{return_url}">{inputs}
<button type="submit">돌아가기</button></form><script>document.getElementById("back").submit();</script></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        return

    def _html(self, body: str, status: int = 200) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        parsed = urlparse(self.path)
        query = {key: values[0] for key, values in parse_qs(parsed.query).items()}
        if parsed.path != "/start" or query.get("client_id") != CLIENT_ID or not query.get("request_id"):
            self._html("<p>잘못된 요청입니다.</p>", 400)
            return
        self._html(_START_PAGE.format(request_id=escape(query["request_id"]), return_url=escape(query.get("return_url", ""))))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
        if urlparse(self.path).path != "/confirm":
            self._html("<p>잘못된 요청입니다.</p>", 404)
            return
        fields = sign(
            request_id=form.get("request_id", ""),
            ci=person_ci(phone=form.get("phone", ""), birth_date=form.get("birth_date", "")),
            name=form.get("name", ""),
            birth_date=form.get("birth_date", ""),
            gender=form.get("gender", ""),
        )
        inputs = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items())
        self._html(_RETURN_PAGE.format(return_url=escape(form.get("return_url", "")), inputs=inputs))


@contextmanager
def run_identity_provider() -> Iterator[IdentityProvider]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield IdentityProvider(url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()

"""The sign-in, sign-up and password-reset forms say what to do next, in the friendly tone of
the app (Django's stock messages are formal in Korean and only say what is wrong)."""

import pytest

from apps.accounts.models import User
from apps.accounts.tests.factories import make_user

pytestmark = pytest.mark.django_db


def _errors(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_a_wrong_password_says_to_check_both_fields_or_reset(client):
    make_user(email="someone@example.com")
    html = _errors(client.post("/accounts/login/", {"username": "someone@example.com", "password": "wrong"}))
    assert "이메일 주소나 비밀번호가 맞지 않아요. 둘 다 확인하고 다시 시도하거나 비밀번호를 재설정해 주세요." in html
    assert "하십시오" not in html


def test_an_empty_sign_up_names_each_missing_field(client):
    html = _errors(client.post("/accounts/signup/", {"email": "", "password1": "", "password2": ""}))
    assert "이메일 주소를 입력해 주세요." in html
    assert "비밀번호를 정해 주세요." in html
    assert "같은 비밀번호를 한 번 더 입력해 주세요." in html
    assert "필수 항목" not in html


def test_a_weak_password_says_how_to_choose_a_better_one(client):
    html = _errors(client.post("/accounts/signup/", {"email": "x@example.com", "password1": "password", "password2": "password"}))
    assert "많은 사람이 쓰는 비밀번호예요. 서로 관계없는 단어 세 개처럼 짐작하기 어려운 비밀번호로 정해 주세요." in html
    html = _errors(client.post("/accounts/signup/", {"email": "x@example.com", "password1": "48151623", "password2": "48151623"}))
    assert "숫자로만 된 비밀번호예요. 글자를 섞어 주세요." in html
    html = _errors(client.post("/accounts/signup/", {"email": "x@example.com", "password1": "k3j", "password2": "k3j"}))
    assert "비밀번호가 너무 짧아요. 8자 이상으로 정해 주세요." in html
    assert User.objects.count() == 0


def test_english_messages_say_what_to_do_as_well(client):
    client.cookies["django_language"] = "en"
    html = _errors(client.post("/accounts/signup/", {"email": "bad", "password1": "password", "password2": "password"}))
    assert "Enter an e-mail address such as name@example.com." in html
    html = _errors(client.post("/accounts/password-reset/", {"email": "bad"}))
    assert "Enter an e-mail address such as name@example.com." in html

import pytest
from django.core import mail

from apps.accounts.models import University, User
from apps.accounts.tests.factories import PASSWORD, make_profile, make_user

pytestmark = pytest.mark.django_db


def test_signup_logs_in_and_leads_to_the_profile(client):
    response = client.post(
        "/accounts/signup/", {"email": "new@example.com", "password1": "a-good-password-1", "password2": "a-good-password-1"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    assert User.objects.filter(email="new@example.com").exists()
    assert client.get("/accounts/profile/").status_code == 200


def test_signup_shows_translated_errors_and_creates_nothing(client):
    response = client.post("/accounts/signup/", {"email": "bad", "password1": "x", "password2": "y"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "name@example.com처럼 이메일 주소를 입력해 주세요." in html
    assert "두 비밀번호가 달라요." in html
    assert User.objects.count() == 0


def test_profile_form_saves_and_reports_taken_nickname(client):
    make_profile(nickname="구름")
    user = make_user()
    client.force_login(user)
    form = {
        "nickname": "구름",
        "gender": "M",
        "seeking": "F",
        "birth_date": "2000-01-01",
        "university": University.objects.first().pk,
        "region": "seoul",
    }
    response = client.post("/accounts/profile/", form)
    assert response.status_code == 200
    assert "이미 사용 중인 닉네임이에요." in response.content.decode()
    response = client.post("/accounts/profile/", {**form, "nickname": "새구름"})
    assert response.status_code == 302
    assert user.profile.nickname == "새구름"


def test_login_with_email_and_password(client):
    make_user(email="login@example.com")
    response = client.post("/accounts/login/", {"username": "login@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/events/"


def test_password_reset_mails_a_working_link(client):
    make_user(email="forgot@example.com")
    client.post("/accounts/password-reset/", {"email": "forgot@example.com"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line).strip()
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert response.status_code == 200
    assert b"new_password1" in response.content


def test_verify_page_flow(client):
    profile = make_profile(university=University.objects.get(name_ko="한양대학교"))
    client.force_login(profile.user)
    response = client.post("/accounts/verify/", {"step": "email", "email": "me@hanyang.ac.kr"})
    assert response.status_code == 302
    code = next(
        token.strip(".") for token in mail.outbox[0].body.split() if token.strip(".").isdigit() and len(token.strip(".")) == 6
    )
    response = client.post("/accounts/verify/", {"step": "code", "code": "12345"})
    assert "인증번호는 6자리 숫자예요." in response.content.decode()
    response = client.post("/accounts/verify/", {"step": "code", "code": code})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.is_university_verified


def _profile_form(**overrides) -> dict:
    return {
        "nickname": "하늘",
        "gender": "F",
        "seeking": "M",
        "birth_date": "2000-01-01",
        "university": University.objects.first().pk,
        "region": "seoul",
        **overrides,
    }


@pytest.mark.parametrize(
    ("birth_date", "reason"),
    [
        ("birth_date_16", "MatchMinds는 만 19세 이상만 이용할 수 있어서 이 생년월일은 저장할 수 없어요."),
        ("2999-01-01", "미래의 날짜예요. 태어난 날을 입력해 주세요."),
        ("1890-01-01", "연도를 확인해 주세요. 이 날짜라면 100세가 넘어요."),
    ],
)
def test_profile_refuses_underage_and_impossible_birth_dates_at_the_form_with_the_reason(client, birth_date, reason):
    from django.utils import timezone

    if birth_date == "birth_date_16":
        birth_date = timezone.localdate().replace(year=timezone.localdate().year - 16, day=1).isoformat()
    user = make_user()
    client.force_login(user)
    response = client.post("/accounts/profile/", _profile_form(birth_date=birth_date))
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not hasattr(User.objects.get(pk=user.pk), "profile")


def test_profile_gender_and_looking_for_must_be_chosen(client):
    client.force_login(make_user())
    page = client.get("/accounts/profile/").content.decode()
    assert '<option value="" selected>선택해 주세요</option>' in page
    response = client.post("/accounts/profile/", _profile_form(gender="", seeking=""))
    html = response.content.decode()
    assert (response.status_code, "성별을 골라 주세요." in html, "만나고 싶은 상대를 골라 주세요." in html) == (200, True, True)


def test_profile_page_title_is_plain_text(client):
    profile = make_profile()
    client.force_login(profile.user)
    html = client.get("/accounts/profile/").content.decode()
    assert "<title>내 프로필 · MatchMinds</title>" in html


def test_verify_page_names_the_expected_domains_keeps_the_email_and_counts_down_the_resend(client):
    profile = make_profile(university=University.objects.get(name_ko="연세대학교"))
    client.force_login(profile.user)
    # a wrong domain says which ending to use
    html = client.post("/accounts/verify/", {"step": "email", "email": "someone@snu.ac.kr"}).content.decode()
    assert "이 주소는 서울대학교 주소예요. 프로필의 연세대학교라면 @yonsei.ac.kr 로 끝나는 주소를 써 주세요." in html
    assert 'value="someone@snu.ac.kr"' in html
    # after the code is sent, the address stays, the code field brings up the number pad and the resend waits
    client.post("/accounts/verify/", {"step": "email", "email": "me@yonsei.ac.kr"})
    html = client.get("/accounts/verify/").content.decode()
    assert 'value="me@yonsei.ac.kr"' in html
    assert 'inputmode="numeric"' in html and 'autocomplete="one-time-code"' in html
    assert 'data-wait-s="60"' in html or 'data-wait-s="59"' in html
    assert "인증번호 다시 받기" in html

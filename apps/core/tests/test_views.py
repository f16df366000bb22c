import pytest


@pytest.mark.django_db
def test_healthz_answers_without_dependencies(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_database_and_redis(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


@pytest.mark.django_db
def test_readyz_is_503_when_redis_is_unreachable(client, settings, monkeypatch):
    import redis

    from apps.core import views

    monkeypatch.setattr(views, "get_redis", lambda: redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "redis": "error: ConnectionError"}


@pytest.mark.django_db
def test_home_is_korean_by_default_and_english_on_request(client):
    korean = client.get("/")
    assert "회원가입" in korean.content.decode()
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Sign up" in english.content.decode()

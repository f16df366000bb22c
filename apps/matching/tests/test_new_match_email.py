"""The new-match e-mail: queued by name once the Match commits, sent once to each who wants it."""

import pytest
from celery import current_app
from django.core import mail

from apps.accounts import notifications
from apps.accounts.models import NotificationKind
from apps.matching import services
from apps.matching.models import Match
from apps.matching.tests.conftest import worker_pairs

pytestmark = pytest.mark.django_db

TASK = "apps.matching.tasks.send_new_match_emails"


def _match(live_event, woman, man, monkeypatch, django_capture_on_commit_callbacks) -> list[tuple[str, list]]:
    queued: list[tuple[str, list]] = []
    monkeypatch.setattr(current_app, "send_task", lambda name, args, **_options: queued.append((name, list(args))))
    services.queue_join(user=woman.user, event_id=live_event.pk)
    services.queue_join(user=man.user, event_id=live_event.pk)
    proposal_id = worker_pairs(event_id=live_event.pk, user_id=man.user_id)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_respond(user_id=woman.user_id, proposal_id=proposal_id, accept=True)
        services.proposal_respond(user_id=man.user_id, proposal_id=proposal_id, accept=True)
    return [entry for entry in queued if entry[0] == TASK]


def test_both_get_a_new_match_email_in_their_language_once_however_often_the_task_runs(
    live_event, pair_of_profiles, monkeypatch, django_capture_on_commit_callbacks
):
    # Given a woman reading English and a man reading Korean who match
    woman, man = pair_of_profiles
    notifications.user_language_set(user=woman.user, language="en")
    notifications.user_language_set(user=man.user, language="ko")
    queued = _match(live_event, woman, man, monkeypatch, django_capture_on_commit_callbacks)
    match = Match.objects.get()

    # Then the mail task was queued by name with the match, once
    assert queued == [(TASK, [match.pk])]

    # When the worker runs it, and a retry runs it again
    current_app.loader.import_default_modules()
    current_app.tasks[TASK].run(match.pk)
    current_app.tasks[TASK].run(match.pk)

    # Then each got one mail naming the other and the chat, in their own language
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert len(mail.outbox) == 2
    to_woman, to_man = by_recipient[woman.user.email], by_recipient[man.user.email]
    assert to_woman.subject == f"It's a match: {man.nickname}"
    assert to_man.subject == f"매칭 성공: {woman.nickname}"
    assert f'"{live_event.name}"에서 {woman.nickname} 님과 서로 좋다고 답했어요.' in to_man.body
    assert f"/chat/{match.room_id}/" in to_woman.body
    assert to_woman.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_who_turned_new_match_emails_off_gets_none(live_event, pair_of_profiles, monkeypatch, django_capture_on_commit_callbacks):
    woman, man = pair_of_profiles
    notifications.notification_set(user=man.user, kind=NotificationKind.NEW_MATCH, enabled=False)
    _match(live_event, woman, man, monkeypatch, django_capture_on_commit_callbacks)

    assert services.match_emails_send(match_id=Match.objects.get().pk) == 1

    assert [message.to for message in mail.outbox] == [[woman.user.email]]

"""The post-event report on constructed events: exact numbers, the same rows in the API and the streamed CSV."""

import csv
import io

import pytest
from django.test import Client

from apps.accounts.tests.factories import make_profile, make_user
from apps.chat.batch import message_send
from apps.matching import services as matching
from apps.matching.models import Match
from apps.matching.services.upkeep import ticket_history_flush
from apps.matching.tests.conftest import make_event, university, worker_pairs
from apps.moderation.reports import report_create
from apps.rounds import report, services
from apps.rounds.models import Round, RoundPair
from apps.rounds.tests.factories import checked_in_students, make_rounds_event

pytestmark = pytest.mark.django_db


def say(user_id: int, room_id: int, count: int) -> None:
    for index in range(count):
        message_send(sender_id=user_id, room_id=room_id, client_msg_id=f"m{user_id}-{room_id}-{index}", body=f"안녕 {index}")


def answer_and_finish(round_: Round, answers: dict[int, str]) -> None:
    services.round_talk_end(round_id=round_.pk, now=round_.talk_ends_at)
    for user_id, answer in answers.items():
        services.round_answer(user_id=user_id, round_id=round_.pk, answer=answer, now=round_.talk_ends_at)
    services.round_finish(round_id=round_.pk, now=round_.break_ends_at)


@pytest.fixture
def played_event():
    """Two rounds of 2 women and 3 men (each at their own university).

    Round 1: pair A both say yes (a match; 4 messages in the lasting chat), pair B one yes;
    room A holds 3 messages and room B 1; one report about a message in room B.
    Round 2: nobody answers, nobody writes.
    """
    event = make_rounds_event(rounds_count=2)
    students = checked_in_students(event, "FFMMM")
    first = services.round_start(event_id=event.pk, number=1)
    pair_a, pair_b = RoundPair.objects.filter(round=first).order_by("pk")
    say(pair_a.user_a_id, pair_a.room_id, 2)
    say(pair_a.user_b_id, pair_a.room_id, 1)
    say(pair_b.user_b_id, pair_b.room_id, 1)
    report_create(reporter=pair_b.user_a, reported_user_id=pair_b.user_b_id, reason="spam", room_id=pair_b.room_id)
    answer_and_finish(first, {pair_a.user_a_id: "yes", pair_a.user_b_id: "yes", pair_b.user_a_id: "yes", pair_b.user_b_id: "no"})
    match = Match.objects.get(event=event)
    say(match.user_a_id, match.room_id, 4)
    second = services.round_start(event_id=event.pk, number=2, now=first.break_ends_at)
    answer_and_finish(second, {})
    return event, students, pair_a, pair_b


def test_the_report_counts_the_event_each_round_and_each_university_exactly(played_event):
    event, students, pair_a, pair_b = played_event

    rows = {(row.scope, row.key): row for row in report.event_report(event=event)}

    def numbers(row):
        return (row.participants, row.seated, row.sitouts, row.proposals, row.matches, row.mutual_yes, row.mutual_yes_rate,
                row.median_chat_messages, row.reports)  # fmt: skip

    assert numbers(rows[("event", "")]) == (5, 8, 2, 4, 1, 1, 0.25, 4.0, 1)
    assert numbers(rows[("round", "1")]) == (5, 4, 1, 2, 1, 1, 0.5, 2.0, 1)
    assert numbers(rows[("round", "2")]) == (5, 4, 1, 2, 0, 0, 0.0, 0.0, 0)
    universities = {row.key: row for row in rows.values() if row.scope == "university"}
    assert len(universities) == 5 and {row.participants for row in universities.values()} == {1}
    university_of = {user.pk: str(user.profile.university_id) for user in students}
    matched = universities[university_of[pair_a.user_a_id]]
    assert (matched.matches, matched.median_chat_messages, matched.reports) == (1, 4.0, 0)
    reported = universities[university_of[pair_b.user_b_id]]
    assert (reported.matches, reported.median_chat_messages, reported.reports) == (0, None, 1)
    assert sum(row.seated + row.sitouts for row in universities.values()) == 10


def test_the_csv_streams_the_same_rows_as_the_api(played_event):
    event, *_ = played_event
    staff = make_user()
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(staff)

    response = client.get(f"/staff/events/{event.pk}/report.csv")
    api = client.get(f"/api/v1/events/{event.pk}/report/").json()

    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeffscope,key,label,participants")
    parsed = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [row["label"] for row in parsed] == [row["label"] for row in api["rows"]]
    assert [int(row["proposals"]) for row in parsed] == [row["proposals"] for row in api["rows"]]
    assert parsed[0]["mutual_yes_rate"] == "0.25" and api["rows"][0]["mutual_yes_rate"] == 0.25
    assert len(parsed) == 1 + 2 + 5


def test_the_report_is_staff_only(played_event):
    event, (student, *_), *_ = played_event
    client = Client()
    assert client.get(f"/staff/events/{event.pk}/report/").status_code == 302
    client.force_login(student)
    assert client.get(f"/staff/events/{event.pk}/report/").status_code == 404
    assert client.get(f"/staff/events/{event.pk}/report.csv").status_code == 404
    assert client.get(f"/api/v1/events/{event.pk}/report/").status_code == 403


def test_a_queue_event_reports_its_proposals_and_matches_with_no_rounds():
    """A queue event: one proposal both accepted, one declined."""
    event = make_event()
    woman = make_profile(gender="F", seeking="M", university=university("서울대학교"), interest_slugs=[])
    man = make_profile(gender="M", seeking="F", university=university("부산대학교"))
    other = make_profile(gender="M", seeking="F", university=university("부산대학교"))
    for profile in (woman, man):
        matching.queue_join(user=profile.user, event_id=event.pk)
    proposal = worker_pairs(event_id=event.pk, user_id=man.user_id)
    matching.proposal_respond(user_id=woman.user_id, proposal_id=proposal, accept=True)
    matching.proposal_respond(user_id=man.user_id, proposal_id=proposal, accept=True)
    matching.queue_join(user=other.user, event_id=event.pk)
    ticket_history_flush()

    rows = report.event_report(event=event)

    total = rows[0]
    assert (total.participants, total.seated, total.sitouts, total.proposals, total.matches) == (3, 0, 0, 1, 1)
    assert (total.mutual_yes_rate, total.median_chat_messages, total.reports) == (1.0, 0.0, 0)
    assert [row.scope for row in rows] == ["event", "university", "university"]
    by_name = {row.label: row for row in rows[1:]}
    assert (by_name["부산대학교"].participants, by_name["부산대학교"].matches) == (2, 1)
    staff = make_user()
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(staff)
    page = client.get(f"/staff/events/{event.pk}/report/")
    assert page.status_code == 200
    assert "chart-report-rounds" not in page.content.decode()

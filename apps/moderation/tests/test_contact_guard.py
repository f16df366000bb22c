"""The contact guard's detector against a labelled corpus of Korean and English chat lines."""

import json
from pathlib import Path

import pytest

from apps.moderation.contact_guard import find_contacts, mask_contacts

CORPUS = Path(__file__).with_name("contact_corpus.tsv")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def labelled_lines() -> list[tuple[bool, str]]:
    lines = []
    for raw in CORPUS.read_text(encoding="utf-8").splitlines():
        if raw and not raw.startswith("#"):
            label, text = raw.split("\t", 1)
            lines.append((label == "1", text))
    return lines


def test_the_corpus_holds_300_lines_of_both_kinds():
    lines = labelled_lines()
    assert len(lines) >= 300
    assert sum(positive for positive, _ in lines) >= 100
    assert sum(not positive for positive, _ in lines) >= 100


def test_precision_and_recall_are_at_least_95_percent(capsys):
    outcomes = [(positive, bool(find_contacts(text)), text) for positive, text in labelled_lines()]
    true_pos = sum(1 for positive, found, _ in outcomes if positive and found)
    false_pos = [text for positive, found, text in outcomes if found and not positive]
    false_neg = [text for positive, found, text in outcomes if positive and not found]
    precision = true_pos / (true_pos + len(false_pos))
    recall = true_pos / (true_pos + len(false_neg))
    report = {"lines": len(outcomes), "precision": round(precision, 4), "recall": round(recall, 4)}
    report |= {"false_positives": false_pos, "false_negatives": false_neg}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "contact_guard.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    with capsys.disabled():
        print(f"\ncontact guard: {report['lines']} lines, precision {precision:.4f}, recall {recall:.4f}")
    assert precision >= 0.95, report
    assert recall >= 0.95, report


@pytest.mark.parametrize(
    ("text", "masked", "kinds"),
    [
        ("제 번호 010-1234-5678이에요", "제 번호 *************이에요", ["phone"]),
        ("공일공 일이삼사 오육칠팔", "*** **** ****", ["phone"]),
        ("０１０－１２３４－５６７８", "*************", ["phone"]),
        ("minji@naver.com 으로", "*************** 으로", ["email"]),
        ("카톡 아이디 minji123", "카톡 아이디 ********", ["kakao"]),
        ("인스타 @jisoo.p 팔로우", "인스타 ******** 팔로우", ["handle"]),
        ("open.kakao.com/o/abc 들어와", "******************** 들어와", ["url"]),
        ("오후 7시 30분, 15,000원, 302호", "오후 7시 30분, 15,000원, 302호", []),
    ],
)
def test_masking_keeps_the_rest_of_the_message(text, masked, kinds):
    assert mask_contacts(text) == (masked, kinds)

"""The contact guard's detector against a labelled corpus of Korean and English chat lines."""

import json
from pathlib import Path

import pytest

from apps.moderation.contact_guard import find_contacts, mask_contacts

CORPUS = Path(__file__).with_name("contact_corpus.tsv")
# Never used to tune the guard: its numbers say how the guard does on lines it was not fitted to.
HELD_OUT = Path(__file__).with_name("contact_corpus_heldout.tsv")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def labelled_lines(path: Path = CORPUS) -> list[tuple[bool, str]]:
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw and not raw.startswith("#"):
            label, text = raw.split("\t", 1)
            lines.append((label == "1", text))
    return lines


def scores(lines: list[tuple[bool, str]]) -> dict:
    outcomes = [(positive, bool(find_contacts(text)), text) for positive, text in lines]
    true_pos = sum(1 for positive, found, _ in outcomes if positive and found)
    false_pos = [text for positive, found, text in outcomes if found and not positive]
    false_neg = [text for positive, found, text in outcomes if positive and not found]
    return {
        "lines": len(outcomes),
        "precision": round(true_pos / (true_pos + len(false_pos)), 4),
        "recall": round(true_pos / (true_pos + len(false_neg)), 4),
        "false_positives": false_pos,
        "false_negatives": false_neg,
    }


def test_the_corpus_holds_300_lines_of_both_kinds():
    lines = labelled_lines()
    assert len(lines) >= 300
    assert sum(positive for positive, _ in lines) >= 100
    assert sum(not positive for positive, _ in lines) >= 100


def test_the_held_out_split_holds_both_kinds_and_no_tuning_line():
    held_out = labelled_lines(HELD_OUT)
    assert len(held_out) >= 50
    assert sum(positive for positive, _ in held_out) >= 25
    assert sum(not positive for positive, _ in held_out) >= 25
    assert not {text for _, text in held_out} & {text for _, text in labelled_lines()}


def test_precision_and_recall_are_at_least_95_percent(capsys):
    tuning, held_out = labelled_lines(), labelled_lines(HELD_OUT)
    report = {"whole": scores(tuning + held_out), "tuning": scores(tuning), "held_out": scores(held_out)}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "contact_guard.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    with capsys.disabled():
        for split, numbers in report.items():
            print(
                f"\ncontact guard ({split}): {numbers['lines']} lines, "
                f"precision {numbers['precision']:.4f}, recall {numbers['recall']:.4f}"
            )
    assert report["whole"]["precision"] >= 0.95, report["whole"]
    assert report["whole"]["recall"] >= 0.95, report["whole"]
    # The unseen lines may fall a little short of the tuned ones, but not far.
    assert report["held_out"]["precision"] >= 0.9, report["held_out"]
    assert report["held_out"]["recall"] >= 0.9, report["held_out"]


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
        ("zero one zero 1234 5678 call me", "**** *** **** **** **** call me", ["phone"]),
        ("minho 골뱅이 네이버 닷컴이요", "***** *** *** **이요", ["email"]),
        ("제 아이디 minji_k 카톡이요", "제 아이디 ******* 카톡이요", ["kakao"]),
        ("골뱅이 무침 좋아해요, 오늘 일이 많아서", "골뱅이 무침 좋아해요, 오늘 일이 많아서", []),
        ("오후 7시 30분, 15,000원, 302호", "오후 7시 30분, 15,000원, 302호", []),
    ],
)
def test_masking_keeps_the_rest_of_the_message(text, masked, kinds):
    assert mask_contacts(text) == (masked, kinds)

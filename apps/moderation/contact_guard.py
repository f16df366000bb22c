"""Finds contact details in chat text: phone numbers, e-mail addresses, URLs and domains,
KakaoTalk IDs and open-chat links, Instagram and other handles.

Korean and English, with the usual disguises: spaces, dashes and dots between digits,
full-width characters, Korean number words ("공일공"), "골뱅이" / "at" for @ and "닷" / "dot"
for the dot. Pure and fast: no I/O; the labelled corpus in tests/contact_corpus.tsv measures it.
Numbers that are not contacts (times, prices, years, scores, room and student numbers) stay:
a phone must look like a Korean phone number (010…, 02…, 031…, 070…, +82 10…), and commas
(prices) and colons (times, scores) end a run of digits.
"""

import re
import unicodedata
from dataclasses import dataclass

MASK = "*"

KOREAN_DIGITS = {"공": "0", "영": "0", "빵": "0", "일": "1", "이": "2", "삼": "3", "사": "4", "오": "5", "육": "6", "륙": "6"}
KOREAN_DIGITS |= {"칠": "7", "팔": "8", "구": "9"}
_DIGIT_CHARS = "0-9" + "".join(KOREAN_DIGITS)
# "에" and "하고" join spoken groups ("공일공에 일이삼사", "010 하고 1234"), "쩜"/"점" and the vowel "ㅡ"
# stand in for dots and dashes; commas (prices) and colons (times, scores) end a run.
_SEPARATORS = r"\s\-.·()/_~+에하고쩜점ㅡ—–"
_RUN = re.compile(rf"[{_DIGIT_CHARS}+](?:[{_DIGIT_CHARS}]|[{_SEPARATORS}](?=[{_SEPARATORS}]*[{_DIGIT_CHARS}]))*")
_PHONE = re.compile(r"01[016789]\d{7,8}|070\d{8}|050\d{8,9}|02\d{7,8}|0[3-6][1-5]\d{7,8}")

_TLDS = (
    "com|net|org|kr|co\\.kr|or\\.kr|ac\\.kr|io|me|ly|gl|app|link|xyz|site|info|biz|tv|gg|to|page|dev|ai|so|im|us|jp|cn|"
    "uk|de|shop|store|online|club|live|social|chat|fm|ee|gle"
)
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+-]+\s*(?:@|골뱅이|\(at\)|\[at\]|\s+at\s+)\s*[A-Za-z0-9-]+(?:\s*(?:\.|점|닷|dot|\(dot\)|\[dot\])\s*[A-Za-z]{2,6})+",
    re.IGNORECASE,
)
# Spoken e-mail: "sam_lee 앳 gmail 닷컴", "minho 골뱅이 네이버 닷컴", the provider often written in Korean.
_EMAIL_PROVIDERS = r"[A-Za-z0-9-]+|네이버|지메일|다음|한메일|네이트|카카오|구글|핫메일|아웃룩|야후"
_EMAIL_KOREAN_TLD = re.compile(
    rf"[A-Za-z0-9._%+-]+\s*(?:@|골뱅이|앳)\s*(?:{_EMAIL_PROVIDERS})\s*(?:닷컴|닷넷|쩜컴|점컴|(?:\.|점|닷|쩜|dot)\s*[A-Za-z]{{2,6}})",
    re.IGNORECASE,
)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_DOMAIN = re.compile(
    rf"(?<![\w@.])(?:[A-Za-z0-9-]+(?:\.|\s?(?:닷|점|쩜|dot)\s?))+(?:{_TLDS})(?![A-Za-z0-9])(?:/\S*)?", re.IGNORECASE
)
# Korean context: a Latin ID right after the app's name is an ID ("인스타 minji_k", "카톡 abc123").
_KOREAN_APP = (
    r"오픈\s*채팅|오픈\s*카톡|오픈톡|카카오톡|카카오|카톡|톡\s*아이디|톡\s*아디|인스타그램|인스타|인별|페북|페이스북|트위터|트윗|"
    r"틱톡|스냅챗|텔레그램|텔레|디스코드|디코|라인\s*아이디|스레드"
)
_KOREAN_HANDLE = re.compile(
    rf"(?:{_KOREAN_APP})\s*(?:아이디|아디|id|계정|주소|검색)?\s*(?:은|는|이|가|:|：|=|->|→)?\s*@?(?P<id>[A-Za-z][A-Za-z0-9._-]{{2,29}}|[A-Za-z0-9._-]*\d[A-Za-z0-9._-]*[A-Za-z_][A-Za-z0-9._-]*)",
    re.IGNORECASE,
)
_ENGLISH_APP = (
    r"kakao\s*talk|kakaotalk|kakao|katalk|ktalk|instagram|insta|ig|snapchat|snap|telegram|discord|line\s+id|twitter|tiktok"
)
# English context needs the shape of an ID, or an explicit "is"/":" before a word that is not a common one.
_ENGLISH_HANDLE = re.compile(
    rf"\b(?:{_ENGLISH_APP})\b(?:'s|’s)?\s*,?\s*(?P<keyword>id|handle|username|name)?\s*(?P<sep>:|：|=|is|->|→)?\s*@?(?P<id>[A-Za-z0-9._-]{{3,30}})",
    re.IGNORECASE,
)
_NOT_AN_ID = frozenset(
    [
        "the",
        "and",
        "but",
        "not",
        "too",
        "very",
        "really",
        "private",
        "public",
        "dead",
        "down",
        "fun",
        "great",
        "good",
        "nice",
        "cool",
        "boring",
        "same",
        "fine",
        "okay",
        "ok",
        "account",
        "accounts",
        "app",
        "apps",
        "photo",
        "photos",
        "pics",
        "pictures",
        "story",
        "stories",
        "post",
        "posts",
        "dm",
        "dms",
        "message",
        "messages",
        "reels",
        "live",
        "later",
        "sometime",
        "tomorrow",
        "tonight",
        "now",
        "please",
        "plz",
        "pls",
        "there",
        "here",
        "it",
        "this",
        "that",
        "them",
        "him",
        "her",
        "you",
        "your",
        "my",
        "me",
        "our",
        "so",
        "more",
        "less",
        "better",
        "best",
        "worse",
        "just",
        "also",
        "always",
        "never",
        "sometimes",
        "lol",
        "haha",
    ]
)
_AT_HANDLE = re.compile(r"(?<![\w.@])[@＠](?P<id>[A-Za-z_][A-Za-z0-9._]{1,29})(?![\w@])")
# "@home", "@the cafe": the English "at", not a handle.
_AT_WORDS = frozenset(
    ["am", "pm", "noon", "night", "home", "school", "work", "the", "cafe", "lunch", "dinner", "everyone", "here", "all"]
)
# A shaped ID (a digit, "_" or ".") a few Korean words after the app's name: "카톡 친추 hana_95".
_KOREAN_APP_THEN_SHAPED_ID = re.compile(
    rf"(?:{_KOREAN_APP})[^A-Za-z0-9@]{{0,14}}@?(?P<id>[A-Za-z][A-Za-z0-9]*[._\d][A-Za-z0-9._]*)"
)


# A shaped ID right before the app's name, or after "아이디": "minji_k 카톡이요", "제 아이디 minji_k".
_SHAPED_ID = r"[A-Za-z][A-Za-z0-9]*[._\d][A-Za-z0-9._]*"
_SHAPED_ID_THEN_KOREAN_APP = re.compile(rf"(?<![\w@.])(?P<id>{_SHAPED_ID})[^A-Za-z0-9@]{{0,6}}(?:{_KOREAN_APP})")
_ID_WORD_THEN_SHAPED_ID = re.compile(rf"(?:아이디|아디)\s*(?:는|은|:|：)?\s*@?(?P<id>{_SHAPED_ID})")
# Phone digits in disguise: the letter O beside a digit ("O1O"), English number words ("zero one zero").
_LETTER_O_AS_ZERO = re.compile(r"(?<=\d)[Oo]|[Oo](?=\d)")
_ENGLISH_DIGIT_WORDS = {"zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5"}
_ENGLISH_DIGIT_WORDS |= {"six": "6", "seven": "7", "eight": "8", "nine": "9"}
_ENGLISH_DIGIT_WORD = re.compile(rf"\b(?:{'|'.join(_ENGLISH_DIGIT_WORDS)})\b", re.IGNORECASE)


# Full-width forms, circled digits, the ideographic space: folded by NFKC (most text holds none).
_COMPATIBILITY_FORMS = re.compile("[\uff00-\uffef\u2460-\u24ff\u3000]")


@dataclass(frozen=True)
class ContactMatch:
    kind: str  # phone, email, url, kakao, handle
    start: int
    end: int


def normalise(text: str) -> str:
    """Full-width and other compatibility forms to plain ones, keeping every position (NFKC per character)."""
    if not _COMPATIBILITY_FORMS.search(text):
        return text
    return "".join((folded if len(folded) == 1 else char) for char in text for folded in (unicodedata.normalize("NFKC", char),))


def _digit_view(text: str) -> str:
    """`text` with disguised digits written as digits, padded with spaces so every position stays."""
    text = _LETTER_O_AS_ZERO.sub("0", text)
    return _ENGLISH_DIGIT_WORD.sub(lambda m: _ENGLISH_DIGIT_WORDS[m.group().lower()].ljust(len(m.group())), text)


def _phone_matches(text: str) -> list[ContactMatch]:
    found = []
    for run in _RUN.finditer(text):
        chars = run.group()
        digits, positions = [], []
        for offset, char in enumerate(chars):
            if char.isdigit():
                digits.append(char)
            elif char in KOREAN_DIGITS:
                # "…5678이에요": a particle right after a written digit is not a digit.
                if char == "이" and offset and chars[offset - 1].isdigit():
                    break
                digits.append(KOREAN_DIGITS[char])
            else:
                continue
            positions.append(run.start() + offset)
        joined = "".join(digits)
        for begin in range(len(joined)):
            candidate, shift = joined[begin:], 0
            if candidate.startswith("82") and (begin == 0 or joined[begin - 1] != "0"):
                candidate, shift = "0" + candidate[2:], 1
            hit = _PHONE.match(candidate)
            if hit and (begin == 0 or _group_starts(text, positions[begin])):
                found.append(ContactMatch("phone", positions[begin], positions[begin + hit.end() - 1 + shift] + 1))
                break
    return found


def _group_starts(text: str, position: int) -> bool:
    return position == 0 or not (text[position - 1].isdigit() or text[position - 1] in KOREAN_DIGITS)


# Cheap tests that say which patterns can match at all: most chat lines skip most of them.
_EMAIL_HINT = re.compile(r"@|＠|골뱅이|\bat\b.{1,40}\b(?:dot|닷|점)|\(at\)|\[at\]|앳", re.IGNORECASE)
_DOMAIN_HINT = re.compile(r"[A-Za-z0-9](?:\.|\s?(?:닷|점|쩜|dot)\s?)[A-Za-z]", re.IGNORECASE)
_ENGLISH_APP_WORDS = frozenset(["kakao", "kakaotalk", "katalk", "ktalk", "instagram", "insta", "ig", "snapchat", "snap"])
_ENGLISH_APP_WORDS |= frozenset(["telegram", "discord", "line", "twitter", "tiktok"])
_LATIN_WORD = re.compile(r"[a-z]+")
_KOREAN_APP_HINT = re.compile(_KOREAN_APP + "|아이디|아디")
_DIGIT_COUNT = re.compile(rf"[{_DIGIT_CHARS}]")


def find_contacts(text: str) -> list[ContactMatch]:
    """Every contact detail in `text`, as spans of the original string, in order."""
    plain = normalise(text)
    digits = _digit_view(plain)
    found = _phone_matches(digits) if len(_DIGIT_COUNT.findall(digits)) >= 9 else []
    if _EMAIL_HINT.search(plain):
        found += [ContactMatch("email", m.start(), m.end()) for p in (_EMAIL, _EMAIL_KOREAN_TLD) for m in p.finditer(plain)]
        found += [
            ContactMatch("handle", m.start(), m.end())
            for m in _AT_HANDLE.finditer(plain)
            if m.group("id").lower() not in _AT_WORDS
        ]
    if "://" in plain or "www." in plain.lower():
        found += [ContactMatch("url", m.start(), m.end()) for m in _URL.finditer(plain)]
    if _DOMAIN_HINT.search(plain):
        found += [ContactMatch("url", m.start(), m.end()) for m in _DOMAIN.finditer(plain)]
    if _KOREAN_APP_HINT.search(plain):
        found += _korean_handles(plain)
    if not _ENGLISH_APP_WORDS.isdisjoint(_LATIN_WORD.findall(plain.lower())):
        for m in _ENGLISH_HANDLE.finditer(plain):
            if _english_id(m.group("id"), sep=m.group("sep") or m.group("keyword"), rest=plain[m.end() :]):
                kind = "kakao" if m.group().lower().startswith(("kakao", "katalk", "ktalk")) else "handle"
                found.append(ContactMatch(kind, m.start("id"), m.end("id")))
    return _merged(found)


def _korean_handles(plain: str) -> list[ContactMatch]:
    found = []
    for pattern in (_KOREAN_HANDLE, _KOREAN_APP_THEN_SHAPED_ID, _SHAPED_ID_THEN_KOREAN_APP, _ID_WORD_THEN_SHAPED_ID):
        for m in pattern.finditer(plain):
            if m.group("id").lower() not in _NOT_AN_ID:
                kind = "kakao" if "톡" in m.group() or "카카오" in m.group() else "handle"
                found.append(ContactMatch(kind, m.start("id"), m.end("id")))
    return found


def _english_id(handle: str, *, sep: str | None, rest: str) -> bool:
    """ "insta: minji_k" and "my insta is jisoo" name an ID; "telegram is popular abroad" does not."""
    if any(c.isdigit() or c in "._" for c in handle):
        return True
    if not sep or handle.lower() in _NOT_AN_ID:
        return False
    return sep.lower() != "is" or not re.match(r"\s+[A-Za-z]", rest)


def _merged(found: list[ContactMatch]) -> list[ContactMatch]:
    merged: list[ContactMatch] = []
    for match in sorted(found, key=lambda m: (m.start, -m.end)):
        if merged and match.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = ContactMatch(last.kind, last.start, max(last.end, match.end))
        else:
            merged.append(match)
    return merged


def mask_contacts(text: str) -> tuple[str, list[str]]:
    """(`text` with every contact detail masked, the kinds found); spaces inside a detail are kept."""
    matches = find_contacts(text)
    if not matches:
        return text, []
    chars = list(text)
    for match in matches:
        for index in range(match.start, match.end):
            if not chars[index].isspace():
                chars[index] = MASK
    return "".join(chars), sorted({match.kind for match in matches})

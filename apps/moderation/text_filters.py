"""Korean and English abuse filters over shipped word lists plus the operator's blocklist.

`korcen` (Korean patterns, with its own normalisation of spacing, jamo and look-alike letters)
and `better-profanity` (English, with leetspeak) both ship their lists inside their wheels.
The operator blocklist (`BlockedTerm`, edited in the admin) covers what both miss.
"""

import itertools
import math
import re
import time
import unicodedata
from dataclasses import dataclass, field

from better_profanity import profanity
from django.core.cache import cache
from korcen import korcen

from apps.moderation.models import BlockedTerm

MASK_CHARACTER = "*"
BLOCKLIST_CACHE_KEY = "moderation:blocklist:v1"
BLOCKLIST_CACHE_S = 60
BLOCKLIST_LOCAL_S = 5
_local_blocklist: dict = {"terms": None, "until": 0.0}
# korcen categories that are abuse in a dating chat (its "politics" list flags ordinary names).
KORCEN_CHECKS = (korcen.general, korcen.minor, korcen.sexual, korcen.belittle, korcen.race, korcen.parent, korcen.special)


# A word list entry with at most this many spellings is expanded into a set of them.
_EXPANDED_SPELLINGS_MAX = 5000


# Digits joined by `*` and nothing else: a number or a product ("7347", "7*7", "{{7*7}}" in a
# bio). better-profanity's leetspeak reads digits as letters and `*` as any vowel, so these
# spelled words ("t*t", "a55"), and every template-looking or arithmetic text was refused.
# A spelling with a letter or a letter-like symbol (`@`, `$`, `!`) is still compared.
_NUMBER_LIKE = re.compile(r"[0-9*]*[0-9][0-9*]*")


class _IndexedCensorWords(list):
    """better-profanity's word list with the same `in` answers, found without a linear scan.

    The library tests `word in CENSOR_WORDSET` for every word (and word pair) of a text by
    comparing it with each of its ~900 leetspeak-aware patterns: ~3 ms of CPU for a short
    chat message, on the chat's writer thread. Nearly every pattern has few spellings
    (~170k in all), so those are answered by one set lookup; the handful with more are
    bucketed by the characters their variants may start with, so only a few are compared.
    """

    def __init__(self, words) -> None:
        super().__init__(words)
        self._spellings: set[str] = set()
        self._by_first: dict[str, list] = {}
        self._any_first: list = []
        for word in self:
            if math.prod(len(options) for options in word._char_combos) <= _EXPANDED_SPELLINGS_MAX:
                self._spellings.update("".join(combo) for combo in itertools.product(*word._char_combos))
                continue
            first = word._char_combos[0] if word._char_combos else ("",)
            if any(not option for option in first):
                self._any_first.append(word)  # may start with anything: always compared
                continue
            for char in {option[0] for option in first}:
                self._by_first.setdefault(char, []).append(word)

    def __contains__(self, text) -> bool:
        if not isinstance(text, str) or not text:
            return super().__contains__(text)
        if _NUMBER_LIKE.fullmatch(text):
            return False
        if text in self._spellings:
            return True
        size = len(text)
        return any(
            word._min_len <= size <= word._max_len and word == text
            for bucket in (self._by_first.get(text[0], ()), self._any_first)
            for word in bucket
        )


profanity.load_censor_words()
profanity.CENSOR_WORDSET = _IndexedCensorWords(profanity.CENSOR_WORDSET)


@dataclass(frozen=True)
class TextVerdict:
    flagged: bool
    masked: str
    matches: list[str] = field(default_factory=list)


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def operator_blocklist() -> list[str]:
    """Active operator terms, cached briefly so an admin edit applies within a minute.

    The shared cache is read at most every BLOCKLIST_LOCAL_S per process: every chat message
    is screened, and a cache read per message costs a Redis round trip and a client.
    """
    now = time.monotonic()
    if _local_blocklist["terms"] is not None and now < _local_blocklist["until"]:
        return _local_blocklist["terms"]
    terms = cache.get(BLOCKLIST_CACHE_KEY)
    if terms is None:
        terms = [_normalise(term) for term in BlockedTerm.objects.filter(is_active=True).values_list("term", flat=True)]
        cache.set(BLOCKLIST_CACHE_KEY, terms, BLOCKLIST_CACHE_S)
    _local_blocklist.update(terms=terms, until=now + BLOCKLIST_LOCAL_S)
    return terms


def forget_operator_blocklist() -> None:
    cache.delete(BLOCKLIST_CACHE_KEY)
    _local_blocklist.update(terms=None, until=0.0)


def _korean_abusive(text: str) -> bool:
    return any(check(text) for check in KORCEN_CHECKS)


def _term_pattern(term: str) -> re.Pattern:
    # Spaces or punctuation inserted between letters ("씨 발", "f.u.c.k") still match.
    return re.compile(r"[\s.\-_*]*".join(re.escape(character) for character in term if not character.isspace()))


def screen_text(text: str) -> TextVerdict:
    """Find abuse in `text`; `masked` replaces every caught word with asterisks."""
    normalised = _normalise(text)
    matches: list[str] = []
    masked = text if len(normalised) == len(text) else normalised

    for term in operator_blocklist():
        pattern = _term_pattern(term)
        if pattern.search(_normalise(masked)):
            matches.append(term)
            masked = pattern.sub(lambda found: MASK_CHARACTER * len(found.group(0)), _normalise(masked))

    if profanity.contains_profanity(masked):
        censored = profanity.censor(masked, MASK_CHARACTER)
        matches += [word for word, after in zip(masked.split(), censored.split(), strict=False) if word != after]
        masked = censored

    # The whole text first: nearly every message is clean, and one pass over it costs what
    # one word costs (korcen's patterns do not care about length at chat sizes).
    if _korean_abusive(masked):
        words = masked.split(" ")
        caught_words = [index for index, word in enumerate(words) if word and _korean_abusive(word)]
        for index in caught_words:
            matches.append(words[index])
            words[index] = MASK_CHARACTER * len(words[index])
        masked = " ".join(words)
        if not caught_words:
            # The abuse is spread over several words ("개 새 끼"): only the whole text can be masked.
            matches.append(masked)
            masked = MASK_CHARACTER * len(masked)
    return TextVerdict(flagged=bool(matches), masked=masked, matches=matches)


def contains_hidden_word(text: str, hidden_words: list[str]) -> bool:
    normalised = _normalise(text)
    return any(_term_pattern(_normalise(word)).search(normalised) for word in hidden_words)

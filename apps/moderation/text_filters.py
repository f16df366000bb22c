"""Korean and English abuse filters over shipped word lists plus the operator's blocklist.

`korcen` (Korean patterns, with its own normalisation of spacing, jamo and look-alike letters)
and `better-profanity` (English, with leetspeak) both ship their lists inside their wheels.
The operator blocklist (`BlockedTerm`, edited in the admin) covers what both miss.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from better_profanity import profanity
from django.core.cache import cache
from korcen import korcen

from apps.moderation.models import BlockedTerm

MASK_CHARACTER = "*"
BLOCKLIST_CACHE_KEY = "moderation:blocklist:v1"
BLOCKLIST_CACHE_S = 60
# korcen categories that are abuse in a dating chat (its "politics" list flags ordinary names).
KORCEN_CHECKS = (korcen.general, korcen.minor, korcen.sexual, korcen.belittle, korcen.race, korcen.parent, korcen.special)

profanity.load_censor_words()


@dataclass(frozen=True)
class TextVerdict:
    flagged: bool
    masked: str
    matches: list[str] = field(default_factory=list)


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def operator_blocklist() -> list[str]:
    """Active operator terms, cached briefly so an admin edit applies within a minute."""
    terms = cache.get(BLOCKLIST_CACHE_KEY)
    if terms is None:
        terms = [_normalise(term) for term in BlockedTerm.objects.filter(is_active=True).values_list("term", flat=True)]
        cache.set(BLOCKLIST_CACHE_KEY, terms, BLOCKLIST_CACHE_S)
    return terms


def forget_operator_blocklist() -> None:
    cache.delete(BLOCKLIST_CACHE_KEY)


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

    words = masked.split(" ")
    caught_words = [index for index, word in enumerate(words) if word and _korean_abusive(word)]
    for index in caught_words:
        matches.append(words[index])
        words[index] = MASK_CHARACTER * len(words[index])
    masked = " ".join(words)
    if not caught_words and _korean_abusive(masked):
        # The abuse is spread over several words ("개 새 끼"): only the whole text can be masked.
        matches.append(masked)
        masked = MASK_CHARACTER * len(masked)
    return TextVerdict(flagged=bool(matches), masked=masked, matches=matches)


def contains_hidden_word(text: str, hidden_words: list[str]) -> bool:
    normalised = _normalise(text)
    return any(_term_pattern(_normalise(word)).search(normalised) for word in hidden_words)

"""Text normalisation for the lexical index: folding, Arabic and French spelling, stems."""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import Stemmer

# --- Normalisation for the lexical index (the embedder always gets the raw text) ---

_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
# Harakat, Quranic marks, superscript alef and tatweel: they vary between spellings of a word.
_HARAKAT = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]")
_APOSTROPHES = re.compile(r"[’‘ʼ`´]")
_ELISION = re.compile(r"\b(?:qu|[ldjnsctm])'(?=\w)")
# "2 000", "2,000" and "2.000" are one number; so are 9h30, 9:30 and 09:30 one time.
_THOUSANDS = re.compile(r"(?<=\d)[\s\u00a0\u202f.,](?=\d{3}\b)")
_TIME = re.compile(r"\b0?(\d{1,2})\s*[h:]\s*(\d{2})\b")
_TOKEN = re.compile(r"\w+")


def _latin_folding() -> dict[int, str]:
    """A translate table that strips accents from Latin letters only (never Arabic marks)."""
    table: dict[int, str] = {ord("œ"): "oe", ord("æ"): "ae"}
    for code in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        decomposed = unicodedata.normalize("NFD", chr(code))
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
        if folded != chr(code) and folded:
            table.setdefault(code, folded)
    return table


_FOLD_LATIN = _latin_folding()


def normalise(text: str) -> str:
    """Fold a text for matching: NFKC, casefold, digits, Arabic spellings, Latin accents."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_DIGITS)
    text = _HARAKAT.sub("", text).translate(_ARABIC_FOLD)
    text = _APOSTROPHES.sub("'", text)
    text = _ELISION.sub("", text)
    text = text.translate(_FOLD_LATIN)
    text = _THOUSANDS.sub("", text)
    return _TIME.sub(r"\1h\2", text)


_STOP_FR = (
    "a ai au aux avec c ce ces cet cette d dans de des du elle elles en est et etre eu il ils "
    "j je l la le les leur leurs lui m ma mais me mes moi mon n ne nos notre nous on ont ou "
    "par pas pour qu que qui s sa se ses son sont sur t ta te tes toi ton tu un une vos votre "
    "vous y sera seront serait aura auront fait faire peut quel quelle quels quelles quand "
    "comment combien pourquoi quoi ya t-il est-ce ete tres plus aussi donc alors ca cela "
    "ceci"
)
_STOP_EN = (
    "a about an and any are as at be been but by can could did do does for from had has have "
    "how i if in into is it its me my no not of on or our so than that the their them then "
    "there these they this those to us was we were what when where which who whom why will "
    "with would you your should shall may might take takes taking"
)
_STOP_AR = (
    "في من على الى عن مع هل ما ماذا متي اين كيف كم لماذا هو هي هم هذا هذه ذلك تلك التي الذي "
    "الذين او ثم قد لا لم لن ان كان كانت يكون تكون بين كل عند اي ايه و ب ل "
    # Darija and Levantine question and function words
    "واش كاين كاينة شي ديال شحال غادي شنو شكون فوقاش فين كيفاش علاش بغيت عندكم شو هلق وين "
    # ... and Darija's everyday words around them (please, now, here, there, this, who, can I,
    # give me, tell me), which no Modern Standard word list has: rare there, they read as names
    "عافاك عافاكم دابا بزاف شوية هنا تما لهيه هادا هادي هادشي داك ديك ماشي كاينين اللي ليا ليك "
    "نقدر تقدر واخا امتى إمتى فاش عطيني عطيوني قوليا گوليا"
)
STOP_WORDS = frozenset(normalise(f"{_STOP_FR} {_STOP_EN} {_STOP_AR}").split())

# Latin words are stemmed as French and English at once: questions in one language often name
# sessions or passages written in the other (a French question about an English talk title).
_LATIN_STEMMERS = ("french", "english")
_local = threading.local()  # PyStemmer objects are not thread-safe


def _stemmer(language: str) -> Stemmer.Stemmer:
    cache: dict[str, Stemmer.Stemmer] | None = getattr(_local, "stemmers", None)
    if cache is None:
        cache = _local.stemmers = {}
    if language not in cache:
        cache[language] = Stemmer.Stemmer(language)
    return cache[language]


def _is_arabic(token: str) -> bool:
    return bool(_ARABIC.match(token[0]))


def fold_text(text: str) -> str:
    """Normalised words separated by single spaces, punctuation dropped."""
    return re.sub(r"[^\w]+", " ", normalise(text)).strip()


@lru_cache(maxsize=65536)
def stems(token: str) -> tuple[str, ...]:
    """The stems of one normalised word: Arabic, or French and English for Latin script."""
    if token.isdigit() or len(token) < 3:
        return (token,)
    if _is_arabic(token):
        return (_stemmer("arabic").stemWord(token),)
    stems = dict.fromkeys(_stemmer(lang).stemWord(token) for lang in _LATIN_STEMMERS)
    return tuple(stems)


def words(text: str) -> list[str]:
    """The normalised words of a text, stop words included, unstemmed (for phrase matching)."""
    return _TOKEN.findall(normalise(text))


def content_words(text: str) -> list[str]:
    """The normalised words of a text that are not stop words."""
    return [word for word in words(text) if word not in STOP_WORDS and word != "_"]


def tokenize(text: str) -> list[str]:
    """Lexical tokens of a text: normalised, stop words removed, stemmed (same for questions)."""
    return [stem for word in content_words(text) for stem in stems(word)]

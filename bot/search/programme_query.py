"""Understanding a question about the programme: what is asked, about when, where and whom.

Rooms, tracks, session types, talk languages and speakers are matched against the programme's
own names (accent- and case-insensitive, fuzzy, partial). A question that is not about the
programme (the event's dates, what a vertical is) gives None and goes to passage retrieval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from babel import Locale

from bot.search.moments import Moment, read_moment
from bot.search.normalise import STOP_WORDS, content_words, fold_text, normalise
from bot.search.programme import Programme
from bot.search.room_names import match_rooms
from bot.search.speaker_names import match_speakers, unknown_person_named

# Words asking for a list of sessions ("talks", "séances", "الجلسات", "what is on").
_LIST = re.compile(
    r"(?<![\w])(talks?|sessions?|conf\w*|seances?|presentations?|exposes?|interventions?|"
    r"programme|program|schedule|agenda|planning|events?|workshops?|ateliers?|keynotes?|"
    r"what s on|whats on|anything|something|what is on|on at|y a t il|il y a|quoi de prevu|prevu|"
    r"quelque chose|horaires?|timetable|time ?slots?|creneaux|"
    r"lightning|speaks?|speaking|speakers?|gives?|presente\w*|parle\w*|intervien\w*|passe)(?![\w])"
    r"|محاضر|جلس|برنامج|ورش|عروض|مداخل|يقدم|كيقدم|يتحدث|تتحدث|يتكلم|كاين|يوجد|ماذا|شنو|شو|واش"
    r"|هل هناك|شي حاجه"
)
# «…», "…", “…”: a quoted part of a question is most likely one session's title.
_QUOTED = re.compile(r"«[^»]+»|\"[^\"]+\"|“[^”]+”|„[^“”]+[“”]")
_THEME = re.compile(
    r"(?<![\w])(themes?|thematiques?|verticales?|verticals?|topics?)(?![\w])|محور|محاور"
)
_ARABIC = re.compile(r"[\u0600-\u06FF]")
_WHAT = re.compile(
    r"(?<![\w])(what|whats|anything|something|quoi|qu|que|est ce|ce qui|quelque chose)(?![\w])"
    r"|ماذا|شنو|شو|اش|واش|ما الذي|اشنو"
)
_WHEN_WHERE = re.compile(r"(?<![\w])(when|where|quand|ou)(?![\w])|متى|اين|فين|وين|امتى")
_CLOCK_WORD = re.compile(r"\d\s*h|\d\s*(am|pm)|(?<![\w])(at|a|vers|around) \d|الساعه")
_SESSION_NOUN = re.compile(
    r"(?<![\w])(talks?|sessions?|conf\w*|seances?|presentations?|exposes?|workshops?|ateliers?|"
    r"keynotes?|lightning|panels?)(?![\w])|محاضر|جلس|ورش|مداخل"
)
_SPEAKER_VERB = re.compile(
    r"(?<![\w])(speaks?|speaking|talks? by|sessions? by|gives?|giving|presents?|presenting|"
    r"parle|parlent|presente|intervient|passe|de qui|by)(?![\w])"
    r"|يتحدث|تتحدث|يقدم|كيقدم|تقدم|يتكلم|لدى|عند"
)
_TOPIC = re.compile(
    r"(?<![\w])(?:about|regarding|concerning|related to|on the topic of|deals? with|dealing with|"
    r"covers|covering|traite de|traitant de|porte sur|portant sur|consacree? a|"
    r"sur|a propos d[eu]?|au sujet d[eu]?|concernant|autour d[eu]?|"
    r"parle(?:nt)? d[eu]?|parler d[eu]?)"
    r"\s+(?:the |les |la |le |l |des |du |de |d )?(.+)$"
    r"|(?:عن|حول|بخصوص|يتحدث عن|يتكلم عن)\s+(.+)$"
)
# English says "a talk on Django" as often as "about": "on" after a session noun, unless what
# follows is a moment ("workshops on Sunday", "talks on the second day").
_TOPIC_ON = re.compile(
    r"(?<![\w])(?:talks?|sessions?|workshops?|presentations?|keynotes?|panels?|lectures?)"
    r"\s+on\s+(?:the |a |an )?(.+)$"
)
_DEFINITION = re.compile(
    r"^(what is|what are|what s|qu est ce que|c est quoi|define|explain)\s+(a|an|the|la|le|les|l)\s"
    r"|^(ما هي|ما هو|ما معنى)\s+(المحور|الموضوع)"
)
_TYPES = {  # a canonical type word, what a question says for it
    "workshop": r"(?<![\w])(workshops?|ateliers?|hands on)(?![\w])|ورش|ورشه|ورشات",
    "lightning": r"(?<![\w])(lightning|eclairs?|flash talks?)(?![\w])|القصيره|الخاطفه",
    "keynote": r"(?<![\w])(keynotes?|plenieres?|key note)(?![\w])|الرئيسيه",
    "panel": r"(?<![\w])(panels?|tables? rondes?|round ?tables?)(?![\w])|مائده مستديره",
}
_OTHER_LANGUAGES = ("fr", "en", "ar", "de", "es", "it", "nl", "pt")
# Words a question uses around names that are not names themselves.
_FILLER = frozenset(
    normalise(
        "give gives talk talks session sessions speak speaks speaking present presents when where "
        "who whom which any anything something is are there what whats on at in the a an by of "
        "parle parlent presente passe intervient quand ou qui quoi quelles quels quelle quel "
        "conference conferences conf confs seance seances les des du de la le et y a t il "
        "lightning workshop workshops atelier ateliers keynote room salle track programme "
        "english german french arabic anglais allemand francais arabe language langue "
        "list liste show montre montrez donne donnez tell please svp stp voir see attend "
        "want veux voudrais would like prevu prevus prevues planned scheduled"
    ).split()
)
# The same for Arabic questions, MSA and Darija: question and request words, "there is", "which",
# "scheduled", "coming", "today" and the like. Without them an ordinary Arabic programme question
# (a request for a day's workshops in Darija) kept four words no filter took and was routed to
# passage retrieval as a session described in other words.
_FILLER_AR = frozenset(
    normalise(
        "اللي الي لي هي هو هوما هما هم كاين كاينين كاينة كاينه كاينا شي شيء اي أي أية ايه "
        "عافاك عفاك فضلك لو سمحت سمحت بغيت بغينا نبغي ابغي أريد اريد نريد أود اود نعرف اعرف "
        "أعرف نشوف اشوف قولي قل قلي اخبرني أخبرني عطيني اعطني ممكن يمكن واش هل هناك هنالك "
        "يوجد توجد يوجدو كاينش فيه فيها في ف ب من على عند مع الى إلى حتى غير ديال ديالي ديالو "
        "التي الذي الذين اللتي هذا هذه هذي هاد هادي هادا هاذ ذلك تلك "
        "المبرمجة المبرمجه المبرمج مبرمجة مبرمجه مبرمج المقررة المقرره مقررة مقرره المخطط "
        "ستقام تقام يقام ستقدم تقدم يقدم كيقدم كتقدم يلقي تلقي غادي غاديه غادية غاديين "
        "سيكون ستكون يكون تكون كيكون كتكون كاتكون جاي جاية جايه الجاي الجاية الجايه القادم "
        "القادمة القادمه التالي التالية التاليه الموالي الموالية المواليه تبدأ تبدا يبدأ يبدا "
        "كتبدا كيبدا تنطلق ينطلق قليل شوية شويه نهار النهار دابا الآن الان توا هلق "
        "البرنامج برنامج الأنشطة الانشطة الانشطه أنشطة انشطة نشاط كامل كاملا كاملة كله كلها "
        "جميع كل كلشي ماكاين اللغة لغة باللغة عمل"
    ).split()
)
# One proclitic (and, so, with, for, like), then the article: "فالعشية", "بالعربية", "والورشات".
_PROCLITIC = re.compile(r"^(?:[وفبلك](?=..)|)(?:ال(?=..))?")


@dataclass(frozen=True, slots=True)
class ProgrammeQuery:
    """A question turned into a query over the sessions."""

    question: str
    language: str
    moment: Moment | None
    rooms: tuple[str, ...] = ()
    unknown_room: str = ""
    tracks: tuple[str, ...] = ()  # vertical ids
    kinds: tuple[str, ...] = ()  # canonical type words (workshop, lightning...)
    talk_languages: tuple[str, ...] = ()  # ISO codes
    speakers: tuple[str, ...] = ()
    unknown_person: str = ""
    topic: str = ""
    session_noun: bool = False  # the question names sessions ("talks", "ateliers", "محاضرة")

    @property
    def filtered(self) -> bool:
        """Whether anything beyond the moment narrows the sessions."""
        return bool(
            self.rooms
            or self.tracks
            or self.kinds
            or self.talk_languages
            or self.speakers
            or self.topic
        )


@lru_cache(maxsize=64)
def _language_names(code: str) -> tuple[str, ...]:
    """What fr/en/ar call a language (Babel/CLDR), folded, with Arabic forms without `ال`."""
    names: set[str] = set()
    for lang in ("fr", "en", "ar"):
        name = Locale(lang).languages.get(code)
        if name:
            folded = fold_text(name)
            names.add(folded)
            if folded.startswith("ال"):
                names.add(folded[2:])
    return tuple(sorted(names))


def _match_languages(text: str, programme: Programme) -> list[str]:
    found = []
    for code in dict.fromkeys([*sorted(programme.languages), *_OTHER_LANGUAGES]):
        for name in _language_names(code):
            if re.search(rf"(?<![\w])(?:ب|بال|باللغه |in |en )?{re.escape(name)}(?![\w])", text):
                found.append(code)
                break
    return found


def _topic(text: str, consumed: set[str]) -> str:
    """The subject after "about"/"sur"/"عن", minus the words the other filters took."""
    match = _TOPIC.search(text)
    if not match:
        return ""
    return _topic_words(match[1] or match[2] or "", consumed)


def _topic_words(phrase: str, consumed: set[str]) -> str:
    """A topic's own words: not those other filters took, nor stop or question words. Numbers
    stay only right after a word they belong to ("Python 3.13", folded "python 3 13")."""
    kept: list[str] = []
    previous_kept = False
    for word in phrase.split():
        if not word.isdigit():  # a number is kept when the word before it was
            previous_kept = word not in consumed and word not in STOP_WORDS and word not in _FILLER
        if previous_kept:
            kept.append(word)
    return " ".join(kept)


# "a talk on predicting how much solar power ... to balance the grid" describes one session
# for passage retrieval; a topic filter reads a few words ("a talk on Django", "on Python 3.13").
TOPIC_ON_WORDS = 3


def _topic_on(text: str, consumed: set[str], now: datetime, programme: Programme) -> str:
    """The subject of "a talk on X" in English, when X is a few words and not a moment."""
    match = _TOPIC_ON.search(text)
    if not match:
        return ""
    phrase = match[1]
    if read_moment(phrase, now, programme.zone, programme.days, by_event_day=True) is not None:
        return ""
    # "talks on at noon", "on in room B": "on" as in "on now" (now, today, tonight: moments)
    if _CLOCK_WORD.search(phrase) or re.match(r"(?:at|in)\b", phrase):
        return ""
    topic = _topic_words(phrase, consumed)
    return topic if len(topic.split()) <= TOPIC_ON_WORDS else ""


def understand(
    question: str, language: str, programme: Programme, now: datetime
) -> ProgrammeQuery | None:
    """The query a programme question asks, or None when it is not about the programme."""
    text = fold_text(question)
    tokens = text.split()
    if not tokens:
        return None
    moment = read_moment(question, now, programme.zone, programme.days)
    rooms, unknown_room = match_rooms(text, question, tokens, programme)
    taken = {t for room in rooms for t in programme.rooms[room]}
    tracks = [
        vid
        for vid, name in programme.tracks.items()
        if name
        and (
            f" {name} " in f" {text} "
            or any(len(t) >= 5 and t in name.split() and t not in taken for t in tokens)
        )
    ]
    kinds = [
        kind
        for kind, pattern in _TYPES.items()
        if re.search(pattern, text) and any(kind in s.kind for s in programme.sessions)
    ]
    missing_kinds = [k for k, p in _TYPES.items() if re.search(p, text) and k not in kinds]
    if moment is None and (kinds or _session_noun(text, language)):
        # "the workshops of the second day": that day's sessions are what is asked for
        moment = read_moment(question, now, programme.zone, programme.days, by_event_day=True)
    talk_languages = _match_languages(text, programme)
    speakers = match_speakers(tokens, question, programme, taken, language, _FILLER)
    speaker_tokens = {t for name in speakers for t in programme.speakers[name]}
    consumed = taken | speaker_tokens | set(" ".join(programme.tracks[t] for t in tracks).split())
    for code in talk_languages:
        consumed.update(w for name in _language_names(code) for w in name.split())
    listing = bool(_LIST.search(text))
    if _DEFINITION.search(text) and not (moment or rooms or speakers):
        return None
    strong_now = moment is not None and moment.kind in ("now", "next") and not moment.weak
    if (_QUOTED.search(question) or _title_named(text, programme)) and not strong_now:
        return None  # one session's when/where/who: passage retrieval answers it
    unknown_person = ""
    if not speakers and (listing or _SPEAKER_VERB.search(text)) and not _TOPIC.search(text):
        unknown_person = unknown_person_named(question, programme)
        named = set(fold_text(unknown_person).split())
        if len([w for w in leftover(question) if w not in named]) > 2:
            unknown_person = ""  # capitalised words inside a description, not a person asked
    topic = "" if unknown_person else _topic(text, consumed)
    if not topic and not unknown_person and language == "en":
        topic = _topic_on(text, consumed, now, programme)
    if (
        not topic
        and not unknown_person
        and listing
        and not (moment or rooms or speakers or tracks or kinds or talk_languages)
    ):
        topic = _bare_topic(tokens, consumed)
    signals = bool(moment or rooms or speakers or unknown_person)
    filters = bool(tracks or kinds or missing_kinds or talk_languages)
    if not signals and not (listing and (filters or topic or unknown_room)):
        return None
    if talk_languages and not (listing or moment or rooms):
        return None
    only_tracks = tracks and not (moment or rooms or speakers or kinds or talk_languages)
    if only_tracks and (not _session_noun(text, language) or _THEME.search(text)):
        return None  # a question on whether a vertical exists: the vertical's passage answers it
    if moment is not None and moment.weak and (not _WHAT.search(text) or _WHEN_WHERE.search(text)):
        # "quand a lieu X ?", "où se déroule l'atelier sur Y ?": a place or time asked, not "now"
        if not (rooms or speakers or filters or topic):
            return None
        moment = None
    filters_ = tracks or topic or talk_languages
    described = len(leftover(question)) >= 3
    if kinds and described and not (moment or rooms or speakers or unknown_person or filters_):
        return None  # a workshop described by its topic: one session, in other words
    others = bool(rooms or unknown_room or speakers or unknown_person or filters)
    if (
        moment is not None
        and not others
        and not listing
        and (moment.kind == "window" or (moment.kind == "at" and not _CLOCK_WORD.search(text)))
    ):
        return None  # "une nuit au Sofitel", "la loi 09-08": not the programme's times
    return ProgrammeQuery(
        question=question,
        language=language,
        moment=moment,
        rooms=tuple(rooms),
        unknown_room=unknown_room,
        tracks=tuple(tracks),
        kinds=tuple(kinds or missing_kinds),
        talk_languages=tuple(talk_languages),
        speakers=tuple(speakers),
        unknown_person=unknown_person,
        topic=topic,
        session_noun=_session_noun(text, language),
    )


def bare_forms(word: str) -> tuple[str, ...]:
    """A normalised word, and for an Arabic one the word without a proclitic and article."""
    if not _ARABIC.match(word):
        return (word,)
    bare = _PROCLITIC.sub("", word, count=1)
    article = word[1:] if len(word) > 4 and word[0] in "وفبلك" else word
    return tuple(dict.fromkeys((word, article, bare, "ال" + bare)))


def _filler(word: str) -> bool:
    return any(form in _FILLER or form in _FILLER_AR for form in bare_forms(word))


def leftover(question: str) -> list[str]:
    """Content words a question has beyond session nouns, types and question words."""
    kept = []
    for word in content_words(question):
        if _filler(word) or word.isdigit() or _LIST.fullmatch(word) or _SESSION_NOUN.search(word):
            continue
        if any(re.search(pattern, word) for pattern in _TYPES.values()):
            continue
        if _WHAT.fullmatch(word) or _WHEN_WHERE.fullmatch(word) or len(word) < 3:
            continue
        kept.append(word)
    return kept


def _session_noun(text: str, language: str) -> bool:
    """Whether the question names sessions (in English a "conference" is the event itself)."""
    found = _SESSION_NOUN.findall(text)
    nouns = [m if isinstance(m, str) else next((g for g in m if g), "") for m in found]
    if language == "en":
        nouns = [n for n in nouns if not n.startswith("conference")]
    return bool(nouns) or bool(re.search(r"محاضر|جلس|ورش|مداخل", text))


def _bare_topic(tokens: list[str], consumed: set[str]) -> str:
    """`help-desk sessions?`: the words before a session noun, when nothing else is asked."""
    nouns = {
        "sessions",
        "session",
        "talks",
        "talk",
        "conferences",
        "conference",
        "seances",
        "confs",
    }
    for position, token in enumerate(tokens):
        if token in nouns and 0 < position <= 3 and position >= len(tokens) - 2:
            words = [
                t
                for t in tokens[:position]
                if t not in STOP_WORDS and t not in _FILLER and t not in consumed
            ]
            if words:
                return " ".join(words)
    return ""


def _title_named(text: str, programme: Programme) -> bool:
    """Whether the question names a whole session title (long enough to be one)."""
    padded = f" {text} "
    return any(len(title) >= 12 and f" {title} " in padded for title in programme.titles.values())

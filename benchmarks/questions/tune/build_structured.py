#!/usr/bin/env python3
"""Build rc3-structured.jsonl and democon-structured.jsonl from the pretalx exports.

Every expectation is computed here from the export: each spec below names its filter
(now / next / a time window, room, language, type, track, speaker, title word); the script
selects the sessions, writes their title fragments as expect_all, and picks forbid titles
from sessions that the filter excludes (never ones close to a boundary).
Run: python3 build_structured.py  (paths relative to /work/shared/eval/schedules)
"""

import json
import re
import unicodedata
from datetime import datetime, timedelta

SCHED = "/work/shared/eval/schedules/pretalx-%s.json"
OUT = "/work/main/benchmarks/questions/tune/%s-structured.jsonl"


def fold(s):
    s = unicodedata.normalize("NFKD", s.lower())
    return "".join(c for c in s if not unicodedata.combining(c))


ENDED = "ended|is over|over|finished|termin|انته"
NONE = r"no (session|talk|event|workshop)|nothing|none|no .*(scheduled|planned|found)|aucun|rien|pas de|لا|ليس|ما كاين|ماكاين|مافي|ما فيه"

NONE_OR_LAST = NONE + r"|last|derni|اخير|أخير|انته|ended|is over|termin|no more|plus de"


def load(name):
    c = json.load(open(SCHED % name))["schedule"]["conference"]
    evs = []
    for day in c["days"]:
        for room, lst in day["rooms"].items():
            for e in lst:
                st = datetime.fromisoformat(e["date"])
                h, m = map(int, e["duration"].split(":"))
                # logical day: sessions before 04:00 belong to the previous day's evening
                lday = (st - timedelta(hours=4)).date().isoformat()
                evs.append(
                    dict(
                        title=e["title"],
                        start=st,
                        end=st + timedelta(hours=h, minutes=m),
                        room=e["room"],
                        lang=e["language"],
                        track=e.get("track") or "",
                        type=e.get("type") or "",
                        day=lday,
                        speakers=[p["public_name"] for p in e["persons"]],
                        text=fold(
                            " ".join(
                                [
                                    e["title"],
                                    e.get("abstract") or "",
                                    e.get("description") or "",
                                    e["room"],
                                ]
                                + [p["public_name"] for p in e["persons"]]
                            )
                        ),
                    )
                )
    evs.sort(key=lambda e: (e["start"], e["room"]))
    return evs


# short distinctive fragments (lower case, regex-escaped where needed); checked below
FRAG = {
    "rc3": {
        "Der faule Admin": "gluon auf echter",
        "Ethical Hackers": "game over",
        "Create boxes": "lasercutter",
        "Dosentelefon": "dosentelefon",
        "Oh du fr": "oh du fröhliche",
        "Elektronische": "elektronische beweis",
        "Jugendliche": "jugendliche als",
        "An Introduction to Tox": "introduction to tox",
        "Adopting the Noise": "noise key exchange",
        "FFMUC": "ffmuc goes wild",
        "State of the Waffle": "state of the waffle",
        "What have we lost": r"what have we lost",
        "The weirdness": "autonomous weapons",
        "Chaostrawler test": "chaostrawler test",
        "Life, liberty": "pursuit of personal",
        "Things not to do": "iommu",
        "Playing with words": "playing with words",
        "Die rosarote": "rosarote brille",
        "Fuzzers like": "fuzzers like lego",
        "Porting Linux": "porting linux",
        "#CRYPTOLEAKS": "cryptoleaks",
        "Quo vadis": "quo vadis freifunk",
        "Your Name Is": "your name is invalid",
        "Amateurfunk": "amateurfunk hacken",
        "Still not lovin": "still not lovin",
        "Demokratische": "demokratische entscheidungen",
        "selbstmachradio": "selbstmachradio",
        "Artificial Intelligence?": "artificial stupidity",
        "Solitude": "solitude",
        "Digitale Gewalt": "digitale gewalt",
        "ESP-ENA": "esp-ena",
        "Antisemitismus": "antisemitismus",
        "Mit OSINT": "osint gegen corona",
        '"But this politician': "but this politician",
        "Freie Software": "freie software",
        "Why We Must Save": "julian assange",
        "When Lightning": "lightning strikes thrice",
        "Let's get digital": "let's get digital",
        "Blender": "blender-construction",
        "Spiele lieber": "spiele lieber dezentral",
        "Introducing utk-web": "utk-web",
        "Bundesanzeiger": "bundesanzeiger",
        "Superfood": r"superfood = super gut",
        "Apoelliptic": "apoelliptic",
        "Better Justification": "better justification",
        "Der Niedergang": "niedergang der liberalen",
        "Climate Change": "climate change",
    },
    "democon": {
        "Focused 5thgeneration": "focused 5thgeneration",
        "Managed stable": "managed stable",
        "Quality-focused": "quality-focused",
        "Secured mobile": "secured mobile",
        "Focused contextually": "contextually-based",
        "Secured grid": "grid-enabled",
        "Triple-buffered": "triple-buffered",
        "Polarized": "polarized object",
        "Stand-alone": "stand-alone asymmetric",
        "Monitored 24hour": "customer loyalty",
        "Enhanced maximized": "maximized middleware",
        "Networked modular": "networked modular",
        "User-centric": "non-volatile",
        "Advanced 24hour": "advanced 24hour",
        "Down-sized": "down-sized directional",
        "Operative": "operative analyzing",
        "Reverse-engineered": "reverse-engineered",
        "Cross-group": "cross-group",
        "Multi-channeled encompassing": "encompassing algorithm",
        "Multi-channeled eco": "eco-centric",
        "Ameliorated 4thgeneration": "4thgeneration firmware",
        "Synergized": "synergized uniform",
        "Ameliorated asymmetric": "ameliorated asymmetric",
        "Expanded client": "client-server",
        "Enhanced dynamic": "enhanced dynamic",
        "Inverse motivating": "inverse motivating",
        "Re-engineered bandwidth": "re-engineered bandwidth",
        "Seamless systematic": "seamless systematic",
        "Exclusive systematic": "exclusive systematic",
        "Decentralized": "decentralized solution",
        "Ergonomic": "ergonomic multi-state",
        "Visionary": "visionary context",
        "Distributed empowering": "distributed empowering",
        "Proactive": "proactive leadingedge",
        "Up-sized": "up-sized intangible",
        "Seamless real-time": "seamless real-time",
    },
}


def frag_of(name, e):
    for k, v in FRAG[name].items():
        if e["title"].startswith(k):
            return v
    raise KeyError(e["title"])


def check_frags(name, evs):
    for e in evs:
        f = frag_of(name, e)
        hits = {x["title"] for x in evs if re.search(fold(f), fold(x["title"]))}
        # the two rc3 "GAME OVER?" sessions share their title (two ellipsis forms): one fragment for both
        assert len(hits) == 1 or (f == "game over" and len(hits) == 2), (f, hits)


def T(s, off):
    return datetime.fromisoformat(s + off)


# ---- selectors -------------------------------------------------------------
def sel(evs, kind, now, **f):
    if kind == "now":
        out = [e for e in evs if e["start"] <= now < e["end"]]
    elif kind == "next":
        later = [
            e for e in evs if e["start"] > now and (not f.get("room") or f["room"] in e["room"])
        ]
        if not later:
            return []
        first = min(e["start"] for e in later)
        return [e for e in later if e["start"] == first]
    elif kind == "at":  # running at a moment
        out = [e for e in evs if e["start"] <= f["at"] < e["end"]]
    elif kind == "win":  # starting in [from, to) on a logical day
        out = [
            e
            for e in evs
            if e["day"] == f["day"]
            and f.get("h0", 0)
            <= (e["start"].hour + (24 if e["start"].hour < 4 else 0)) + e["start"].minute / 60
            < f.get("h1", 28)
        ]
    elif kind == "all":
        out = list(evs)
    else:
        raise ValueError(kind)
    if f.get("room"):
        out = [e for e in out if f["room"] in e["room"]]
    if f.get("day") and kind != "win":
        out = [e for e in out if e["day"] == f["day"]]
    if f.get("lang"):
        out = [e for e in out if e["lang"] == f["lang"]]
    if f.get("type"):
        out = [e for e in out if e["type"].lower().startswith(f["type"].lower())]
    if f.get("track"):
        out = [e for e in out if e["track"] == f["track"]]
    if f.get("speaker"):
        out = [e for e in out if any(f["speaker"] == s for s in e["speakers"])]
    if f.get("word"):
        out = [e for e in out if re.search(f["word"], fold(e["title"]))]
    return out


def build(name, off, specs, date_re, last_end):
    evs = load(name)
    check_frags(name, evs)
    rows = []
    for sp in specs:
        now = T(sp["now"], off)
        f = dict(sp.get("f", {}))
        for k in ("at",):
            if k in f:
                f[k] = T(f[k], off)
        kind = sp["kind"]
        ambiguous = set(sp.get("ambiguous", []))  # fragments neither expected nor forbidden
        if kind == "before":
            assert now < evs[0]["start"]
            exp, chosen = [date_re], []
        elif kind == "after":
            assert now >= last_end
            exp, chosen = [ENDED], []
        else:
            chosen = sel(evs, kind, now, **f)
            if sp.get("expect_none"):
                assert not chosen, (sp["q"], [e["title"] for e in chosen])
                exp = [NONE_OR_LAST if sp.get("none_re") == "LAST" else NONE]
            else:
                assert chosen, sp["q"]
                exp = []
                for e in chosen:
                    fr = frag_of(name, e)
                    if fr not in exp and fr not in ambiguous:
                        exp.append(fr)
        # forbid: explicit, else the nearest excluded sessions not within 10 minutes of a boundary
        chosen_titles = {e["title"] for e in chosen}
        if "forbid" in sp:
            forbid = sp["forbid"]
        else:
            cands = []
            ref = f.get("at") or now
            for e in evs:
                fr = frag_of(name, e)
                if e["title"] in chosen_titles or fr in ambiguous or fr in exp or fr == "game over":
                    continue
                if kind in ("now", "next", "at") and (
                    abs((e["end"] - ref).total_seconds()) < 600
                    or abs((e["start"] - ref).total_seconds()) < 900
                ):
                    continue
                if (
                    kind in ("now", "next")
                    and e["start"] > ref
                    and e["start"] == min(x["start"] for x in evs if x["start"] > ref)
                ):
                    continue
                cands.append((abs((e["start"] - ref).total_seconds()), fr))
            cands.sort()
            forbid = [fr for _, fr in cands[: sp.get("nforbid", 2)]]
        # a forbidden fragment must not occur in the text of any expected session (answers may quote abstracts)
        for fr in forbid:
            for e in chosen:
                assert not re.search(fold(fr), e["text"]), (sp["q"], fr, e["title"])
            assert fr not in exp
        # an expected fragment must be valid regex and match its own title
        for r in exp:
            re.compile(fold(r))
        rows.append(
            {
                "lang": sp["lang"],
                "now": now.isoformat(),
                "question": sp["q"],
                "expect_all": exp,
                "forbid": forbid,
                "_kind": sp["tag"],
            }
        )
    with open(OUT % name, "w", encoding="utf-8") as fh:
        for r in rows:
            r = {k: v for k, v in r.items() if k != "_kind"}
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    from collections import Counter

    print(
        name,
        len(rows),
        dict(Counter(r["lang"] for r in rows)),
        dict(Counter(r["_kind"] for r in rows)),
    )
    return rows


def date_re(d, mon_en, mon_fr, wd_en, wd_fr):
    # "27 December", "27.12.", "27/12", "27–30 December", "du 27 au 30 décembre", "من 27 إلى 30 ديسمبر"
    rng = r"((–|-|au|to|and|et|و|إلى|الى)\s*\d+(th)?\.?\s*)?"
    return (
        rf"2020-12-{d}|\b{d}(th)?\.?[ /-]*{rng}(dec|12\b|دجنبر|ديسمبر)|dec\w*\.? {d}\b|{wd_en}|{wd_fr}"
        rf"|(le|on the|on|the|du|from|يوم|من) {d}\b(?![:h.]\d)"
    )


from specs import DEMOCON, RC3  # noqa: E402

if __name__ == "__main__":
    build(
        "rc3",
        "+01:00",
        RC3,
        date_re("27", "dec", "dec", "sunday,? (dec\\w* )?27", "dimanche 27"),
        T("2020-12-30T16:40", "+01:00"),
    )
    build(
        "democon",
        "+01:00",
        DEMOCON,
        date_re("14", "dec", "dec", "monday,? (dec\\w* )?14", "lundi 14"),
        T("2020-12-16T15:30", "+01:00"),
    )

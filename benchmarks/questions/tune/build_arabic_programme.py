#!/usr/bin/env python3
"""Build arabic-programme.jsonl: Arabic (MSA and Darija) programme questions, plus a few French and
English controls, over pretalx-democon.json and pretalx-rc3.json.

Each spec names its filter (now / next / a part of a day / speaker / type / language / one title,
optionally a room); the script selects the sessions from the export, writes a title fragment for
each as expect_all, and forbids up to two excluded sessions away from any boundary.
Run: python3 build_arabic_programme.py
"""

import json
import re
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

SCHED = "/work/shared/eval/schedules/pretalx-%s.json"
OUT = Path(__file__).with_name("arabic-programme.jsonl")
NONE = (
    r"no (session|talk|event|workshop)|nothing|none|no .*(scheduled|planned|found)|aucun|rien"
    r"|pas de|لا|ليس|ما كاين|ماكاين|مافي|ما فيه"
)
PARTS = {"morning": (4, 12), "afternoon": (12, 18), "evening": (18, 28)}
SAME_TITLE = {"ethical hackers": "game over"}  # rc3 has this title twice (27th and 30th)


def fold(s):
    s = unicodedata.normalize("NFKD", s.lower())
    return "".join(c for c in s if not unicodedata.combining(c))


def load(name):
    c = json.load(open(SCHED % name))["schedule"]["conference"]
    evs = []
    for day in c["days"]:
        for lst in day["rooms"].values():
            for e in lst:
                st = datetime.fromisoformat(e["date"])
                h, m = map(int, e["duration"].split(":"))
                evs.append(
                    dict(
                        title=e["title"],
                        start=st,
                        end=st + timedelta(hours=h, minutes=m),
                        room=e["room"],
                        lang=e["language"],
                        type=e.get("type") or "",
                        day=(st - timedelta(hours=4)).date().isoformat(),
                        speakers=[p["public_name"] for p in e["persons"]],
                        text=fold(
                            " ".join(
                                [e["title"], e.get("abstract") or "", e.get("description") or ""]
                                + [e["room"]]
                                + [p["public_name"] for p in e["persons"]]
                            )
                        ),
                    )
                )
    evs.sort(key=lambda e: (e["start"], e["room"]))
    titles = [fold(e["title"]) for e in evs]
    for e, t in zip(evs, titles):
        e["frag"] = fragment(t, titles)
    return evs


def fragment(title, titles):
    """The shortest word-boundary prefix of a title (two words at least) in no other title."""
    for key, frag in SAME_TITLE.items():
        if title.startswith(key):
            return frag
    cut = [m.end() for m in re.finditer(r"[\w#'-]+", title)]
    for n in range(min(2, len(cut)) - 1, len(cut)):
        frag = title[: cut[n]].strip()
        if sum(frag in t for t in titles) == 1:
            return re.escape(frag)
    raise SystemExit(f"no unique fragment for {title!r}")


def select(evs, sp, now):
    """The sessions a spec asks for, and the ones at a fuzzy limit (neither expected nor forbidden)."""
    f = sp["f"]
    pool = [e for e in evs if "room" not in f or f["room"] in e["room"]]
    ambiguous = []
    if "day" in f:
        day = f["day"]
        pool = [e for e in pool if e["day"] == day]
        if "part" in f:
            lo, hi = PARTS[f["part"]]
            base = datetime.fromisoformat(day + "T00:00:00+01:00")
            start, end = base + timedelta(hours=lo), base + timedelta(hours=hi)
            ambiguous = [e for e in pool if e["start"] in (start, end)]
            pool = [e for e in pool if start <= e["start"] < end and e not in ambiguous]
    if "lang" in f:
        pool = [e for e in pool if e["lang"] == f["lang"]]
    if "type" in f:
        pool = [e for e in pool if f["type"] in e["type"].lower()]
    if "speaker" in f:
        pool = [e for e in pool if f["speaker"] in e["speakers"]]
    if "title" in f:
        pool = [e for e in pool if e["title"].startswith(f["title"])]
    if f.get("when") == "now":
        pool = [e for e in pool if e["start"] <= now < e["end"]]
    if f.get("when") == "next":
        later = [e for e in pool if e["start"] > now]
        first = min(e["start"] for e in later)
        pool = [e for e in later if e["start"] == first]
    return pool, ambiguous


def forbids(evs, chosen, ambiguous, now, sp):
    """Two excluded sessions, far from now and from any boundary, quoted by no expected one."""
    if "forbid" in sp:
        return sp["forbid"]
    out = []
    for e in evs:
        near = abs((e["start"] - now).total_seconds()) < 15 * 60 or (
            timedelta(0) <= now - e["end"] < timedelta(minutes=10)
        )
        nxt = [x["start"] for x in evs if x["start"] > now]
        if e in chosen or e in ambiguous or near or (nxt and e["start"] == min(nxt)):
            continue
        if e["frag"] in ("game over",) and any("game over" == c["frag"] for c in chosen):
            continue
        if any(re.search(e["frag"], c["text"]) for c in chosen):
            continue
        same_day = e["day"] == now.date().isoformat()
        out.append((not same_day, abs((e["start"] - now).total_seconds()), e["frag"]))
    return [frag for *_, frag in sorted(out)[:2]]


D, R = "democon", "rc3"
# (schedule, lang, now, question, filter, extra expects)
SPECS = [
    # democon, Arabic
    (D, "ar", "2020-12-14T09:10", "شنو كاين دابا ف Gray Room؟", {"when": "now", "room": "Gray"}),
    (D, "ar", "2020-12-15T09:40", "ما الجلسة الجارية الآن في Tan Room؟", {"when": "now", "room": "Tan"}),
    (D, "ar", "2020-12-16T12:10", "شنو كاين دابا؟", {"when": "now"}),
    (D, "ar", "2020-12-14T10:10", "ما هي الجلسة التالية في Gray Room؟", {"when": "next", "room": "Gray"}),
    (D, "ar", "2020-12-15T12:10", "شنو جاي من بعد؟", {"when": "next"}),
    (D, "ar", "2020-12-14T12:00", "ماذا يوجد صباح يوم الثلاثاء في Tan Room؟", {"day": "2020-12-15", "part": "morning", "room": "Tan"}),
    (D, "ar", "2020-12-14T10:00", "شنو كاين غدا فالعشية ف Gray Room؟", {"day": "2020-12-15", "part": "afternoon", "room": "Gray"}),
    (D, "ar", "2020-12-13T10:00", "ما هي الورشات يوم 16 ديسمبر؟", {"day": "2020-12-16", "type": "workshop"}),
    (D, "ar", "2020-12-13T10:00", "شنو هوما الورشات ديال نهار الاثنين؟", {"day": "2020-12-14", "type": "workshop"}),
    (D, "ar", "2020-12-13T10:00", "ما هي محاضرات Curtis Andrews؟", {"speaker": "Curtis Andrews"}),
    (D, "ar", "2020-12-13T10:00", "شنو كيقدم Kimberly Griffin؟", {"speaker": "Kimberly Griffin"}),
    (D, "ar", "2020-12-13T10:00", "إمتى كتقدم Stephanie Hudson؟", {"speaker": "Stephanie Hudson"}),
    (D, "ar", "2020-12-13T10:00", "متى محاضرة Jeffrey Morgan؟", {"speaker": "Jeffrey Morgan"}, [], ["user-centric", "ameliorated 4thgeneration"]),
    (D, "ar", "2020-12-13T10:00", "فين ووقتاش Secured mobile concept؟", {"title": "Secured mobile"}, ["gray"]),
    (D, "ar", "2020-12-13T10:00", "متى تبدأ ورشة Managed stable function؟", {"title": "Managed stable"}, ["tan"]),
    (D, "ar", "2020-12-13T10:00", "واش كاينين محاضرات بالعربية؟", {"none": True}, [], ["focused 5thgeneration", "seamless real-time"]),
    (D, "ar", "2020-12-15T18:00", "ما هي المحاضرات باللغة الإنجليزية يوم الأربعاء صباحا؟", {"day": "2020-12-16", "part": "morning", "lang": "en"}),
    (D, "ar", "2020-12-16T10:00", "شنو كاين العشية ف Tan Room؟", {"day": "2020-12-16", "part": "afternoon", "room": "Tan"}),
    (D, "ar", "2020-12-16T13:30", "ماذا يحدث الآن؟", {"none": True}, [], ["visionary context", "seamless real-time"]),
    (D, "ar", "2020-12-15T14:35", "شكون كيهضر دابا ف Gray Room؟", {"when": "now", "room": "Gray"}),
    (D, "ar", "2020-12-14T17:00", "شنو البرنامج ديال غدا الصباح؟", {"day": "2020-12-15", "part": "morning"}),
    (D, "ar", "2020-12-13T10:00", "ما هي جلسات Teresa Terrell؟", {"speaker": "Teresa Terrell"}),
    (D, "ar", "2020-12-15T10:40", "ما هي الورشة التالية؟", {"when": "next", "type": "workshop"}),
    (D, "ar", "2020-12-14T10:00", "شنو كاين هاد العشية؟", {"day": "2020-12-14", "part": "afternoon"}),
    (D, "ar", "2020-12-16T09:40", "أين تقام الجلسة القادمة؟", {"when": "next"}),
    # longer wordings: request and relative words, "scheduled", "coming", clitics; no room named
    (D, "ar", "2020-12-14T16:00", "عافاك شنو هوما الورشات اللي غادي يكونو نهار الثلاثاء؟", {"day": "2020-12-15", "type": "workshop"}),
    (D, "ar", "2020-12-14T16:00", "أريد أن أعرف ما هي الورشات المقررة يوم الأربعاء", {"day": "2020-12-16", "type": "workshop"}),
    (D, "ar", "2020-12-15T09:10", "شنو هي الجلسة اللي جاية من بعد هادي؟", {"when": "next"}),
    (D, "ar", "2020-12-16T14:40", "من فضلك قولي شنو كاين دابا", {"when": "now"}),
    (D, "ar", "2020-12-14T10:10", "هل توجد ورشة عمل تبدأ بعد قليل؟", {"when": "next", "type": "workshop"}),
    (D, "ar", "2020-12-14T16:00", "بغيت نعرف المحاضرات اللي كاينين غدا فالعشية", {"day": "2020-12-15", "part": "afternoon"}),
    (D, "ar", "2020-12-15T16:00", "ممكن تعطيني الورشات ديال الغد؟", {"day": "2020-12-16", "type": "workshop"}),
    (D, "ar", "2020-12-13T10:00", "ما هي الجلسات التي ستقدم باللغة الإنجليزية يوم الاثنين صباحا؟", {"day": "2020-12-14", "part": "morning", "lang": "en"}),
    (D, "ar", "2020-12-14T10:10", "وقتاش كتبدا أول ورشة نهار الأربعاء؟", {"day": "2020-12-16", "type": "workshop", "part": "morning", "title": "Inverse"}, [], ["managed stable", "advanced 24hour"]),
    (D, "ar", "2020-12-14T10:10", "المحاضرات اللي باقين هاد العشية", {"day": "2020-12-14", "part": "afternoon"}),
    (D, "ar", "2020-12-14T10:10", "هل توجد محاضرات باللغة الفرنسية في البرنامج؟", {"none": True}, [], ["focused 5thgeneration", "seamless real-time"]),
    # a Latin moment word in an Arabic question (taken for a name by the unknown-name check)
    (D, "ar", "2020-12-15T08:30", "شنو كاين tomorrow ف Tan Room؟", {"day": "2020-12-16", "room": "Tan"}),
    (D, "ar", "2020-12-16T09:40", "شنو الجلسة next ف Gray Room؟", {"when": "next", "room": "Gray"}),
    # rc3, Arabic
    (R, "ar", "2020-12-28T12:10", "شنو كاين دابا ف backspace؟", {"when": "now", "room": "backspace"}),
    (R, "ar", "2020-12-29T15:10", "ما الجلسة التالية في r3s؟", {"when": "next", "room": "r3s"}),
    (R, "ar", "2020-12-26T10:00", "ما هي محاضرات Stefania Maurizi؟", {"speaker": "Stefania Maurizi"}),
    (R, "ar", "2020-12-26T10:00", "شنو كاين بالألمانية نهار 30؟", {"day": "2020-12-30", "lang": "de"}, [], ["better justification", "climate change"]),
    (R, "ar", "2020-12-26T10:00", "ما هي ورشات العمل؟", {"type": "workshop"}),
    (R, "ar", "2020-12-26T10:00", "متى وأين Blender-Construction؟", {"title": "Blender"}, ["backspace"]),
    (R, "ar", "2020-12-26T10:00", "فين غادي يكون Fuzzers like LEGO؟", {"title": "Fuzzers"}, ["backspace"]),
    (R, "ar", "2020-12-26T10:00", "شنو كاين ف hacc München؟", {"room": "hacc"}),
    (R, "ar", "2020-12-27T16:10", "ماذا يجري الآن في r3s؟", {"when": "now", "room": "r3s"}),
    (R, "ar", "2020-12-28T15:00", "شنو كاين الليلة؟", {"day": "2020-12-28", "part": "evening"}),
    (R, "ar", "2020-12-29T12:35", "شكون كيقدم دابا؟", {"when": "now"}),
    (R, "ar", "2020-12-26T10:00", "شنو هوما lightning talks؟", {"type": "lightning"}),
    (R, "ar", "2020-12-26T10:00", "فوقاش محاضرة Barbara Wimmer؟", {"speaker": "Barbara Wimmer"}),
    (R, "ar", "2020-12-28T20:00", "ما البرنامج صباح يوم 29 في r3s؟", {"day": "2020-12-29", "part": "morning", "room": "r3s"}),
    (R, "ar", "2020-12-26T10:00", "واش كاين شي محاضرة بالفرنسية؟", {"none": True}, [], ["gluon auf", "blender"]),
    (R, "ar", "2020-12-27T15:00", "شنو من بعد ف Chaos-West؟", {"when": "next", "room": "Chaos-West"}),
    (R, "ar", "2020-12-26T10:00", "متى يتكلم Lei Nelissen؟", {"speaker": "Lei Nelissen"}),
    (R, "ar", "2020-12-28T17:30", "واش كاين شي حاجة مبرمجة هاد الليلة؟", {"day": "2020-12-28", "part": "evening"}),
    (R, "ar", "2020-12-26T10:00", "أريد أن أعرف ما هي ورشات العمل المبرمجة يوم 29", {"day": "2020-12-29", "type": "workshop"}),
    (R, "ar", "2020-12-29T14:40", "واش كاين شي حاجة now ف backspace؟", {"when": "now", "room": "backspace"}),
    # controls, French and English
    (D, "fr", "2020-12-16T09:20", "Qu'est-ce qui passe maintenant en Tan Room ?", {"when": "now", "room": "Tan"}),
    (D, "fr", "2020-12-13T10:00", "Quels ateliers mardi ?", {"day": "2020-12-15", "type": "workshop"}),
    (D, "en", "2020-12-13T10:00", "What does Jonathan Conway present?", {"speaker": "Jonathan Conway"}),
    (D, "en", "2020-12-13T10:00", "Where and when is Polarized object-oriented toolset?", {"title": "Polarized"}, ["gray"]),
    (D, "en", "2020-12-13T10:00", "Any talks in German?", {"none": True}, [], ["enhanced dynamic", "secured mobile"]),
    (R, "fr", "2020-12-28T10:00", "Qu'y a-t-il demain après-midi au backspace ?", {"day": "2020-12-29", "part": "afternoon", "room": "backspace"}),
    (R, "en", "2020-12-28T16:10", "What's next in r3s?", {"when": "next", "room": "r3s"}),
    (R, "en", "2020-12-26T10:00", "Which talks does Björn Ruytenberg give?", {"speaker": "Björn Ruytenberg"}),
    (R, "fr", "2020-12-26T10:00", "Quand a lieu Porting Linux to your favorite obscure Arm SoC ?", {"title": "Porting Linux"}, ["r3s"]),
    (R, "en", "2020-12-30T14:10", "What's on now?", {"when": "now"}),
]


def main():
    evs = {D: load(D), R: load(R)}
    lines = []
    for spec in SPECS:
        sched, lang, now, question, f, *rest = spec
        extra = rest[0] if rest else []
        sp = {"f": f}
        if len(rest) > 1:
            sp["forbid"] = rest[1]
        moment = datetime.fromisoformat(now + ":00+01:00")
        if f.get("none"):
            expect, fb = [NONE], sp["forbid"]
        else:
            chosen, ambiguous = select(evs[sched], sp, moment)
            assert chosen, question
            expect = [e["frag"] for e in chosen] + extra
            fb = forbids(evs[sched], chosen, ambiguous, moment, sp)
            for frag in fb:
                assert not any(re.search(frag, c["text"]) for c in chosen), (question, frag)
        lines.append(
            dict(lang=lang, now=moment.isoformat(), question=question, expect_all=expect,
                 forbid=fb, schedule=sched)
        )
    for sched in (D, R):
        path = OUT.with_name(f"arabic-programme-{sched}.jsonl")
        with path.open("w", encoding="utf-8") as out:
            for line in lines:
                if line["schedule"] == sched:
                    out.write(json.dumps(line, ensure_ascii=False) + "\n")
    with OUT.open("w", encoding="utf-8") as out:
        for line in lines:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    langs = {}
    for line in lines:
        langs[line["lang"]] = langs.get(line["lang"], 0) + 1
    print(len(lines), langs)


if __name__ == "__main__":
    main()

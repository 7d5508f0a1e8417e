"""Check the held-out set against the programme export (does not run the bot).

Usage: python benchmarks/questions/heldout/build/pyconfr2024_check.py benchmarks/schedules/pyconfr-2024.json

In scope: each `expect` regex, folded as score.py folds it (lower case, accents off), must match
exactly one session title; matches in other sessions' other fields are reported as warnings.
Out of scope: each question's key terms (OOS_TERMS) must occur nowhere in the export, as whole
words (so "chine" does not count inside "machine").
"""
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

SET = Path(__file__).resolve().parent.parent / "pyconfr-2024-crosslingual.jsonl"

OOS_TERMS = {
    "DjangoCon": ["djangocon", "django con"],
    "pyenv": ["pyenv"],
    "l'année prochaine": ["annee prochaine", "l'an prochain", "ville"],
    "Guido": ["guido", "rossum"],
    "restaurant": ["restaurant", "dinner", "diner"],
    "list comprehension": ["list comprehension", "comprehension list"],
    "فندق": ["فندق", "hotel"],
    "الصين": ["الصين", "chine", "china"],
}


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.lower())
    return "".join(c for c in s if not unicodedata.combining(c))


def main() -> int:
    raw = Path(sys.argv[1]).read_text(encoding="utf-8")
    export = json.loads(raw)
    events = [e for day in export["schedule"]["conference"]["days"] for evs in day["rooms"].values() for e in evs]
    items = [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    bad = 0
    print(Counter((it["lang"], it["expect"] is not None) for it in items))
    seen = Counter()
    for it in items:
        if it["expect"] is None:
            continue
        for pat in it["expect"]:
            rx = re.compile(fold(pat))
            titles = [e["title"] for e in events if rx.search(fold(e["title"]))]
            elsewhere = [e["title"] for e in events if e["title"] not in titles and rx.search(fold(json.dumps(e, ensure_ascii=False)))]
            ok = len(titles) == 1
            bad += not ok
            seen.update(titles)
            print(("ok  " if ok else "BAD ") + f"{pat!r} -> {titles}" + (f"  (also in other fields of: {elsewhere})" if elsewhere else ""))
    dup = [t for t, n in seen.items() if n > 1]
    if dup:
        print("sessions asked about more than once:", dup)
    text = fold(raw)
    for key, terms in OOS_TERMS.items():
        q = [it["question"] for it in items if it["expect"] is None and key.lower() in it["question"].lower()]
        found = [t for t in terms if re.search(r"(?<!\w)" + re.escape(fold(t)) + r"(?!\w)", text)]
        bad += len(q) != 1 or bool(found)
        print(("ok  " if len(q) == 1 and not found else "BAD ") + f"oos {key!r}: question={q} found in export={found}")
    print("all good" if not bad else f"{bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

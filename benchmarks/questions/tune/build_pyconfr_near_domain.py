#!/usr/bin/env python3
"""Build pyconfr-2025-near-domain.jsonl (issue 10 tuning set) over benchmarks/schedules/pyconfr-2025.json.

Written without reading pyconfr-2025-crosslingual.jsonl's misses, on other sessions than it asks
about. Out of scope (expect null): near-domain questions the export cannot answer (other events,
people not in the programme, how-tos, the venue's surroundings); none of each question's key terms
occurs (folded) anywhere in the export. In scope: sessions described in another language than
their title's (mostly English questions over French titles); each regex (a title fragment) must
match exactly one session title and must not occur in the question.
"""
import json, pathlib, re, sys, unicodedata

EXPORT = pathlib.Path(__file__).resolve().parents[2] / "schedules" / "pyconfr-2025.json"
OUT = pathlib.Path(__file__).with_name("pyconfr-2025-near-domain.jsonl")

def fold(s):
    s = unicodedata.normalize("NFKD", s.lower())
    return "".join(c for c in s if not unicodedata.combining(c))

OOS = [
 ("en", "When is PyCon Italia 2026?", ["italia"]),
 ("en", "Is Armin Ronacher speaking?", ["ronacher"]),
 ("en", "How do I install Python on a Chromebook?", ["chromebook"]),
 ("en", "Any good crêperie near the venue?", ["creperie"]),
 ("en", "What's the wifi password at the venue?", ["password", "wifi", "wi-fi"]),
 ("fr", "Quand sort Python 3.15 ?", ["3.15"]),
 ("fr", "Qui préside la Python Software Foundation ?", ["software foundation"]),
 ("fr", "Comment installer Anaconda sur un Mac ?", ["anaconda"]),
 ("fr", "Où boire un bon café près de la fac ?", ["fac", "boire"]),
 ("ar", "متى ينعقد مؤتمر EuroSciPy؟", ["euroscipy"]),
 ("ar", "هل ستتحدث كارول ويلينغ في المؤتمر؟", ["willing", "carol"]),
 ("ar", "كيف أثبت برنامج فوتوشوب على حاسوبي؟", ["photoshop"]),
]

INS = [
 ("en", "How do I document my project, is there a session on that?", [r"documenter son projet"]),
 ("en", "Is there a session on protecting your customers' secrets?", [r"proteger les secrets"]),
 ("en", "Who talks about moving a Nextcloud's LDAP directory?", [r"migrer l.annuaire"]),
 ("en", "Is there a talk on lakehouse storage in Python without a Spark cluster?", [r"data lakehouses"]),
 ("en", "When is the talk about visualising social networks at planetary scale?", [r"reseaux sociaux a echelle planetaire"]),
 ("en", "Is there a talk on Python start-up time, measuring before optimising?", [r"demarrage python"]),
 ("en", "Which session promises data structures that will surprise you?", [r"vont vous etonner"]),
 ("en", "When is the keynote about every child's dream of becoming a database administrator?", [r"le reve de tout enfant"]),
 ("en", "Is there a talk about building reliable software on top of dubious APIs?", [r"logiciels fiables"]),
 ("en", "Who speaks about best practices for integrating OIDC and SAML?", [r"bonnes pratiques de l.integration"]),
 ("en", "What time is the plenary on being a digital ally for everyone in a hostile environment?", [r"allie\.?e du numerique"]),
 ("fr", "Y a-t-il une conf sur courir toutes les rues de Paris ?", [r"running every street"]),
 ("fr", "Qui présente le mécanisme d'injection de dépendances de FastAPI ?", [r"dependency injection mechanism"]),
 ("fr", "Où a lieu l'atelier pour construire son propre assistant vocal en temps réel ?", [r"real time voice assistant"]),
 ("fr", "Quand parle-t-on de versionner les données de vision par ordinateur ?", [r"computer vision data version control"]),
 ("fr", "À quelle heure est la plénière qui invite à accueillir le code bizarre ?", [r"embracing weird code"]),
 ("ar", "متى محاضرة توثيق المشاريع باستعمال Sphinx؟", [r"documenter son projet"]),
 ("ar", "من يتحدث عن حقن التبعيات في FastAPI؟", [r"dependency injection mechanism"]),
 ("ar", "أين ورشة بناء مساعد صوتي في الوقت الحقيقي؟", [r"real time voice assistant"]),
 ("ar", "هل هناك محاضرة عن ترحيل دليل LDAP الخاص بـ Nextcloud؟", [r"migrer l.annuaire"]),
 ("ar", "متى محاضرة الجري في كل شوارع باريس ببايثون؟", [r"running every street"]),
]

def main():
    data = json.loads(EXPORT.read_text(encoding="utf-8"))
    alltext = fold(json.dumps(data, ensure_ascii=False))
    titles = {fold(e["title"]) for d in data["schedule"]["conference"]["days"]
              for evs in d["rooms"].values() for e in evs}
    bad = 0
    rows = []
    for lang, q, terms in OOS:
        hits = [t for t in terms if re.search(r"(?<!\w)" + re.escape(fold(t)) + r"(?!\w)", alltext)]
        if hits:
            print("OOS term found:", q, hits); bad += 1
        rows.append({"lang": lang, "question": q, "expect": None})
    for lang, q, pats in INS:
        n = [t for t in titles if any(re.search(p, t) for p in pats)]
        if len(n) != 1 or any(re.search(p, fold(q)) for p in pats):
            print("bad in-scope:", q, n); bad += 1
        rows.append({"lang": lang, "question": q, "expect": pats})
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(len(rows), "written;", bad, "problems")
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main())

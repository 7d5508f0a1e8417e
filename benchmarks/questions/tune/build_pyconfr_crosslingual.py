"""Build pyconfr-2025-crosslingual.jsonl: FR/EN/AR questions over PyConFR 2025's French programme.

Run from this folder: python3 build_pyconfr_crosslingual.py [EXPORT]
EXPORT defaults to ../../schedules/pyconfr-2025.json (made by ../../schedules/pyconfr_frab.py).

Checks: each expected fragment matches the title of exactly one session (sprints have one title on
two days), occurs in no other session's title or abstract, and is not in the question itself
(folded); each out-of-scope question's key terms occur nowhere in the export's text.
"""

import json
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "pyconfr-2025-crosslingual.jsonl"

# (lang, question, title fragment as a regex over folded text)
IN_SCOPE = [
    ("fr", "Mon fils de 10 ans peut-il s'initier au code quelque part pendant la conf ?", "programmation pour les enfants"),
    ("fr", "Quand se réunit l'association pour voter et faire le bilan de l'année ?", "assemblee generale de l.afpy"),
    ("fr", "Il y a un talk sur la machine à expresso du boulot ?", "accro au cafe"),
    ("fr", "Une présentation sur le bien-être psychologique des développeurs ?", "anxiete"),
    ("fr", "Où se passe le repas réservé aux femmes de la communauté Python ?", "dejeuner pyladies"),
    ("fr", "À quelle heure commence le mot d'ouverture samedi matin ?", "accueil / welcome"),
    ("fr", "Qui explique comment brancher la connexion « avec Google » sur son appli ?", "sso : mode d.emploi"),
    ("fr", "Y a-t-il un sprint pour traduire la documentation officielle de Python en français ?", "traduction de docs"),
    ("fr", "Est-ce qu'on parle de jeux vidéo en Python ?", "calamars et pythons"),
    ("fr", "Qui utilise l'imagerie radar spatiale pour évaluer les destructions après une catastrophe ?", "sentinel-1"),
    ("fr", "Quand est la présentation sur les interfaces en mode texte dans la console ?", "quand le terminal devore"),
    ("fr", "Y a-t-il quelque chose sur l'embarqué, genre cartes ESP32 ou Raspberry Pico ?", "micropython"),
    ("fr", "Où a lieu le retour d'expérience de quelqu'un qui est passé de pipenv à uv ?", "sans douleur avec uv"),
    ("fr", "Qui parle de sécurité au boulot et de blessures chez les informaticiens ?", "accidents du travail"),
    ("fr", "Comment se développe l'interpréteur officiel de Python, il y a une conf là-dessus ?", "developpement de cpython"),
    ("en", "Is there a coding class for children?", "programmation pour les enfants"),
    ("en", "When is the hands-on session about Python without the global interpreter lock on graphics cards?", "sans gil"),
    ("en", "What time does the final session of the conference start?", "cloture / closing"),
    ("en", "Who talks about making a slow Django test suite run faster?", "le duo comique"),
    ("en", "Is there a talk on drawing maps from geographic data?", "creer des cartes avec python"),
    ("en", "Where is the workshop on crawling websites to collect data?", "scrapy"),
    ("en", "Who is presenting the French government's open-source collaboration suite?", "la suite numerique"),
    ("en", "Is there a session on mocking in unit tests?", "dompter les mocks"),
    ("en", "When can I learn how to build a read-only dictionary type?", "frozendict"),
    ("en", "Which room has the talk on teaching Python now that beginners use ChatGPT?", "intelligence artificielle generative"),
    ("en", "Is there a talk about whether we are really paid just to write code in free software?", "paye a ecrire du code"),
    ("en", "Who speaks about a lightweight identity provider written in Python?", "canaille"),
    ("en", "Anything about a command-line client for Deezer?", "onzr"),
    ("en", "When is the talk arguing SQLAlchemy's ORM is too clever to understand?", "trop intelligent pour etre comprehensible"),
    ("en", "Is there a sprint on the Mercurial version control system?", "gestionnaire de versions mercurial"),
    ("ar", "هل توجد ورشة لتعليم الأطفال البرمجة؟", "programmation pour les enfants"),
    ("ar", "متى الجلسة الافتتاحية للمؤتمر؟", "accueil / welcome"),
    ("ar", "أين يقام غداء PyLadies؟", "dejeuner pyladies"),
    ("ar", "من يتحدث عن الصحة النفسية والقلق عند المبرمجين؟", "anxiete"),
    ("ar", "متى محاضرة رسم الخرائط بالبايثون والبيانات الجغرافية؟", "creer des cartes avec python"),
    ("ar", "هل هناك ورشة عن بايثون بدون GIL واستعمال كرت الشاشة؟", "sans gil"),
    ("ar", "في أي قاعة الجمعية العامة لجمعية AFPy؟", "assemblee generale de l.afpy"),
    ("ar", "متى يكون سبرينت ترجمة توثيق بايثون إلى الفرنسية؟", "traduction de docs"),
    ("ar", "شكون اللي كيهضر على صناعة لعبة ثنائية الأبعاد؟", "calamars et pythons"),
    ("ar", "هل توجد محاضرة عن حماية أسرار وكلمات مرور الزبناء؟", "proteger les secrets"),
    ("ar", "متى محاضرة برمجة المتحكمات الدقيقة بلغة بايثون؟", "micropython"),
    ("ar", "من يقدم ورشة إنشاء موقع ويب ثابت صغير؟", "petit site web statique"),
    ("ar", "هل هناك جلسة عن واقع تعليم البايثون في المدارس؟", "apprentissage du python a l.ecole"),
    ("ar", "متى محاضرة حوادث الشغل في قطاع التكنولوجيا؟", "accidents du travail"),
    ("ar", "واش كاين شي حاجة على htmx مع Django بعد ثلاث سنين؟", "htmx et django"),
]

# (lang, question, key terms that must occur nowhere in the export)
OUT_OF_SCOPE = [
    ("fr", "Quand a lieu la PyCon US cette année ?", ["pycon us"]),
    ("fr", "Comment mettre à jour pip sur Ubuntu ?", ["ubuntu"]),
    ("fr", "Où manger des sushis près du campus ?", ["sushi"]),
    ("en", "Where can I rent a bike in Lyon?", ["bike", "vélo", "velo"]),
    ("en", "Is Guido van Rossum giving a keynote?", ["guido", "rossum"]),
    ("en", "When is EuroPython 2026?", ["europython"]),
    ("en", "What is new in Python 3.14?", ["3.14"]),
    ("ar", "هل يتحدث يان لوكون في المؤتمر؟", ["lecun", "لوكون"]),
    ("ar", "كم سعر تذكرة القطار من باريس؟", ["train", "قطار", "billet"]),
    ("ar", "متى ينعقد مؤتمر FOSDEM القادم؟", ["fosdem"]),
]


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.lower())
    return "".join(c for c in s if not unicodedata.combining(c))


def sessions(export: Path) -> dict[str, tuple[str, str]]:
    """slug -> (folded title, folded abstract), one entry per submission."""
    data = json.loads(export.read_text(encoding="utf-8"))
    found: dict[str, tuple[str, str]] = {}
    for day in data["schedule"]["conference"]["days"]:
        for events in day["rooms"].values():
            for e in events:
                found[e["slug"]] = (fold(e["title"]), fold(e.get("abstract") or ""))
    return found


def main() -> int:
    export = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[1] / "schedules" / "pyconfr-2025.json"
    found = sessions(export)
    whole = fold(export.read_text(encoding="utf-8"))
    problems = []
    for lang, question, fragment in IN_SCOPE:
        pattern = re.compile(fold(fragment))
        titles = [s for s, (t, _) in found.items() if pattern.search(t)]
        others = [s for s, (t, a) in found.items() if s not in titles and pattern.search(t + " " + a)]
        if len(titles) != 1:
            problems.append(f"{fragment!r}: {len(titles)} titles match")
        if others:
            problems.append(f"{fragment!r}: also in the text of {others}")
        if pattern.search(fold(question)):
            problems.append(f"{fragment!r} is in its question {question!r}")
    for lang, question, terms in OUT_OF_SCOPE:
        for term in terms:
            if re.search(r"\b" + re.escape(fold(term)) + r"\b", whole):
                problems.append(f"out of scope {question!r}: {term!r} occurs in the export")
    if problems:
        print("\n".join(problems))
        return 1
    with OUT.open("w", encoding="utf-8") as out:
        for lang, question, fragment in IN_SCOPE:
            out.write(json.dumps({"lang": lang, "question": question, "expect": [fragment]}, ensure_ascii=False) + "\n")
        for lang, question, _ in OUT_OF_SCOPE:
            out.write(json.dumps({"lang": lang, "question": question, "expect": None}, ensure_ascii=False) + "\n")
    counts = {lang: sum(1 for l, *_ in IN_SCOPE if l == lang) for lang in ("fr", "en", "ar")}
    print(f"{OUT.name}: {len(IN_SCOPE)} in scope {counts}, {len(OUT_OF_SCOPE)} out of scope")
    return 0


if __name__ == "__main__":
    sys.exit(main())

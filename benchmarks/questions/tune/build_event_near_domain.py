#!/usr/bin/env python3
"""Build event-near-domain.jsonl and check it against the shipped knowledge (/work/main/knowledge).

Out of scope (expect null): each question carries grep terms; none may occur (folded) in any
knowledge file, so the knowledge cannot answer it.
In scope: each regex must match (folded, as score.py does) at least one knowledge section
(a '## ' section of the press files, or a session/vertical block of programme.yaml).
"""
import json, pathlib, re, sys, unicodedata

K = pathlib.Path("/work/main/knowledge")
OUT = pathlib.Path(__file__).with_name("event-near-domain.jsonl")

def fold(s):
    s = unicodedata.normalize("NFKD", s.lower())
    return "".join(c for c in s if not unicodedata.combining(c))

OOS = [
 ("en", "What did OpenAI announce at its last developer day?", ["openai", "developer day"]),
 ("en", "When is GITEX Africa 2025 in Marrakech?", ["gitex", "marrakech"]),
 ("en", "Who is Morocco's minister of health?", ["minister of health", "health minister"]),
 ("en", "What is Tunisia's national AI strategy?", ["tunisia", "tunisie"]),
 ("en", "Which hotels are close to the conference venue in Rabat?", ["hotel", "hôtel"]),
 ("en", "How do I install PyTorch with GPU support on Windows?", ["pytorch", "windows"]),
 ("en", "Who is Yann LeCun?", ["lecun"]),
 ("en", "Any good restaurant near Rabat-Agdal train station?", ["restaurant", "agdal"]),
 ("en", "How much is a ChatGPT Plus subscription?", ["chatgpt", "subscription"]),
 ("en", "When is the AI Action Summit in Paris?", ["summit", "paris"]),
 ("fr", "Quelle est la stratégie IA de l'Égypte ?", ["egypte", "egypt"]),
 ("fr", "Qui est le ministre de l'Éducation nationale au Maroc ?", ["education nationale", "ministre de l'education"]),
 ("fr", "Comment aller de l'aéroport Rabat-Salé au centre-ville ?", ["aeroport", "sale", "centre-ville"]),
 ("fr", "Quelle ligne de tram pour aller à Hay Riad ?", ["tram", "hay riad"]),
 ("fr", "Quand a lieu VivaTech 2025 à Paris ?", ["vivatech", "paris"]),
 ("fr", "Que fait la startup française Mistral AI ?", ["mistral"]),
 ("fr", "Comment créer un bot Telegram en Python ?", ["telegram"]),
 ("fr", "Combien coûte une nuit au Sofitel Rabat Jardin des Roses ?", ["sofitel", "nuit"]),
 ("fr", "Que dit la loi 09-08 sur la protection des données personnelles ?", ["09-08", "cndp", "donnees personnelles"]),
 ("fr", "Qui a reçu le prix Turing en 2024 ?", ["turing"]),
 ("ar", "ما هي استراتيجية الإمارات للذكاء الاصطناعي؟", ["الإمارات", "الامارات"]),
 ("ar", "متى ينعقد معرض جيتكس إفريقيا بمراكش؟", ["جيتكس", "مراكش"]),
 ("ar", "من هو وزير الصحة في المغرب؟", ["وزير الصحة", "وزارة الصحة"]),
 ("ar", "كيف أستعمل ChatGPT لكتابة رسالة تحفيزية؟", ["chatgpt", "رسالة"]),
 ("ar", "شنو أحسن مطعم قريب من صومعة حسان فالرباط؟", ["مطعم", "حسان"]),
 ("ar", "ما هو أرخص فندق قريب من مكان المناظرة؟", ["فندق"]),
 ("ar", "شحال كيدير الطاكسي من المطار للرباط؟", ["طاكسي", "مطار", "taxi"]),
 ("ar", "من هو سام ألتمان؟", ["ألتمان", "altman"]),
 ("ar", "ما هي شركة إنفيديا وماذا تصنع؟", ["إنفيديا", "nvidia"]),
 ("ar", "متى تنعقد قمة باريس حول الذكاء الاصطناعي؟", ["باريس", "قمة"]),
]

INS = [
 ("fr", "Qui est à l'initiative des Assises ?", [r"ministere de la transition numerique|ministry of digital transition|وزارة الانتقال الرقمي"]),
 ("fr", "Les Assises sont-elles placées sous un patronage ?", [r"haut patronage|high patronage|الرعاية السامية"]),
 ("fr", "C'est la combientième édition ?", [r"premiere edition|first edition|الدورة الاولى"]),
 ("fr", "Pourquoi des investisseurs viennent aux Assises ?", [r"investisseurs participeront|investors will attend|سيحضر مستثمرون"]),
 ("fr", "Selon la ministre, l'IA c'est un enjeu de quel ordre ?", [r"geopolitique|geopolitical|جيوسياسي"]),
 ("fr", "D'où viennent les infos sur l'événement ?", [r"maroc diplomatique"]),
 ("fr", "On sait où exactement ça se passe à Rabat ?", [r"lieu precis|lieu exact|exact venue|المكان المحدد|المكان المضبوط"]),
 ("en", "Partners from which continents are expected?", [r"africains, europeens|african, european|افارقة واوروبيين|الافارقة والاوروبيين"]),
 ("en", "Is culture one of the conference themes?", [r"culture et (la )?creativite|culture and creativ|الثقافة والابداع"]),
 ("en", "Will global AI governance be discussed?", [r"gouvernance mondiale|global ai governance|الحكامة العالمية"]),
 ("en", "Does Morocco want to become a data science hub?", [r"science des donnees|data science|علوم البيانات"]),
 ("en", "What is said about training talent for AI?", [r"former des talents|training talent|تكوين الكفاءات"]),
 ("en", "When was the event presented to the press?", [r"28 juin|28 june|28 يونيو"]),
 ("en", "which time zone are the session times in", [r"africa/casablanca"]),
 ("ar", "ما هو شعار المناظرة الوطنية للذكاء الاصطناعي؟", [r"استراتيجية ناجعة|efficiente et ethique|efficient and ethical"]),
 ("ar", "شحال من واحد غادي يحضر للمناظرة؟", [r"2[ \u00a0\u202f.,]?000|الفي|deux mille|two thousand"]),
 ("ar", "واش كاين محور ديال الفلاحة؟", [r"الفلاحة|agriculture"]),
 ("ar", "ماذا يتضمن اليوم الأول من المناظرة؟", [r"sessions techniques|technical sessions|جلسات تقنية"]),
 ("ar", "هل ستقدم الشركات الناشئة عروضا في المناظرة؟", [r"demonstrations (de|by) startups|startup demonstrations|عروض(ا)? (تطبيقية|للشركات الناشئة)"]),
 ("ar", "هل هناك محور خاص بالإعلام؟", [r"\bmedias\b|\bmedia\b|الاعلام"]),
]

def sections():
    out = []
    for p in sorted(K.rglob("*")):
        if p.is_file() and p.name != "README.md" or (p.is_file() and p.parent != K):
            t = p.read_text(encoding="utf-8")
            parts = re.split(r"\n(?=## )", t) if p.suffix == ".md" else re.split(r"\n(?=  - id: )", t)
            out += [(p.name, fold(x)) for x in parts]
    return out

def main():
    secs = sections()
    alltext = "\n".join(t for _, t in secs)
    bad = 0
    rows = []
    for lang, q, terms in OOS:
        hits = [t for t in terms if fold(t) in alltext]
        if hits:
            print("OOS term found in knowledge:", q, hits); bad += 1
        rows.append({"lang": lang, "question": q, "expect": None})
    for lang, q, pats in INS:
        n = [(f, t[:60]) for f, t in secs if any(re.search(fold(p), t) for p in pats)]
        langs = {f.split(".")[-2] if f.endswith(".md") else "yaml" for f, _ in n}
        print(f"{len(n):2d} sections {sorted(langs)} <- [{lang}] {q}")
        if not n:
            bad += 1
        rows.append({"lang": lang, "question": q, "expect": pats})
    with open(OUT, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(len(rows), "written;", bad, "problems")
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Build event-near-domain-2.jsonl (issue 10, second tuning set) and check it against knowledge/.

Written after the first set, with new wordings only (no question of any other set reused).
Out of scope (expect null): each question carries key terms; none may occur (folded) in any
knowledge file, so the knowledge cannot answer it. Half of them name nothing capitalised (how-tos,
the venue's surroundings, lower-case names, Arabic-script names), so a check on capitals alone
cannot refuse them.
In scope: each regex must match (folded, as score.py does) at least one knowledge section.
"""
import json, pathlib, re, sys, unicodedata

K = pathlib.Path(__file__).resolve().parents[3] / "knowledge"
OUT = pathlib.Path(__file__).with_name("event-near-domain-2.jsonl")

def fold(s):
    s = unicodedata.normalize("NFKD", s.lower())
    return "".join(c for c in s if not unicodedata.combining(c))

OOS = [
 ("en", "When does the Africa Tech Summit take place in Kigali?", ["kigali", "tech summit"]),
 ("en", "What is Germany's plan for artificial intelligence?", ["germany", "allemagne"]),
 ("en", "who is the moroccan minister of the interior", ["interior", "interieur"]),
 ("en", "When is Google I/O this year?", ["google"]),
 ("en", "What does the EU AI Act say about facial recognition?", ["ai act", "facial"]),
 ("en", "How can I fine-tune a language model on my laptop?", ["fine-tune", "laptop"]),
 ("en", "Is there a pharmacy open late near the venue?", ["pharmacy", "pharmacie"]),
 ("en", "Where can I park my car near the conference?", ["park", "parking"]),
 ("en", "Who founded DeepMind?", ["deepmind"]),
 ("en", "what will samsung show at its next unpacked event", ["samsung", "unpacked"]),
 ("en", "At what time does Elon Musk give his talk?", ["musk"]),
 ("en", "Where is the nearest cash machine to the venue?", ["cash", "atm"]),
 ("fr", "Quand se tient le Web Summit à Lisbonne ?", ["lisbonne", "web summit"]),
 ("fr", "Quelle politique le Sénégal mène-t-il sur l'intelligence artificielle ?", ["senegal"]),
 ("fr", "qui est le ministre de l'agriculture du maroc", ["ministre de l'agriculture"]),
 ("fr", "Comment configurer un environnement virtuel Python ?", ["environnement virtuel"]),
 ("fr", "Combien coûte le nouvel iPhone ?", ["iphone"]),
 ("fr", "À quelle heure intervient Cédric Villani ?", ["villani"]),
 ("fr", "Y a-t-il une boulangerie près du lieu de la conférence ?", ["boulangerie"]),
 ("fr", "Où peut-on se garer autour des Assises ?", ["garer", "parking", "stationnement"]),
 ("fr", "Que propose Microsoft Copilot aux entreprises ?", ["microsoft", "copilot"]),
 ("fr", "comment entraîner un réseau de neurones avec tensorflow", ["tensorflow", "neurones"]),
 ("fr", "Quelle est la stratégie numérique de la Côte d'Ivoire ?", ["ivoire"]),
 ("fr", "Qui dirige l'Agence de développement du digital ?", ["agence de developpement"]),
 ("ar", "متى ينطلق مؤتمر ليب التقني في الرياض؟", ["مؤتمر ليب", "leap"]),
 ("ar", "ما هي سياسة الجزائر في مجال الذكاء الاصطناعي؟", ["الجزائر"]),
 ("ar", "من هو وزير التعليم العالي في المغرب؟", ["التعليم العالي", "وزير التعليم"]),
 ("ar", "كيف أثبت بايثون على حاسوبي؟", ["بايثون", "حاسوب"]),
 ("ar", "واش كاين شي صيدلية قريبة من المناظرة؟", ["صيدلية"]),
 ("ar", "متى سيتحدث إيلون ماسك؟", ["ماسك", "musk"]),
 ("ar", "ما هو ثمن اشتراك جيميني من جوجل؟", ["جيميني", "جوجل", "gemini"]),
 ("ar", "من هو مؤسس شركة ديب مايند؟", ["ديب مايند", "deepmind"]),
 ("ar", "أين يمكنني ركن سيارتي قرب مكان المناظرة؟", ["سيارة", "سيارتي", "ركن"]),
 ("ar", "ما هي مشاريع مايكروسوفت في المغرب؟", ["مايكروسوفت", "microsoft"]),
 ("ar", "كيف أكتب برنامجا بلغة جافا؟", ["جافا", "java"]),
 ("ar", "ماذا ينص قانون الاتحاد الأوروبي حول الذكاء الاصطناعي؟", ["الاتحاد الاوروبي", "قانون"]),
]

INS = [
 ("en", "Which ministry is behind the conference?", [r"ministry of digital transition|ministere de la transition numerique|وزارة الانتقال الرقمي"]),
 ("en", "How many thematic tracks does the programme have?", [r"\b13\b|thirteen|treize|ثلاثة عشر"]),
 ("en", "What is on the agenda for 2 July?", [r"international cooperation|cooperation internationale|التعاون الدولي|political dimensions"]),
 ("en", "Which king gives his patronage to the event?", [r"mohammed vi|محمد السادس"]),
 ("en", "Is sport among the verticals?", [r"\bsport\b|الرياضة"]),
 ("en", "Who presented the event to journalists?", [r"seghrouchni|السغروشني"]),
 ("fr", "Quelle affluence prévoit-on pour les Assises ?", [r"2[ \u00a0\u202f.,]?000"]),
 ("fr", "Les startups pourront-elles montrer leurs solutions ?", [r"demonstrations? (de|by|of) (startups|innovative)|startup demonstrations|demonstrations par des startups|عروض"]),
 ("fr", "Quel rôle pour la recherche selon la conférence de presse ?", [r"recherche|research|البحث"]),
 ("fr", "Y a-t-il un axe consacré à la santé ?", [r"medecine de precision|precision medicine|الطب الدقيق"]),
 ("fr", "Quelle ministre porte ce projet ?", [r"seghrouchni|السغروشني"]),
 ("fr", "Sur combien de jours s'étalent les Assises ?", [r"1(er)?\s*(et|&|-|au)\s*2\s*juillet|1\s*(and|-)\s*2\s*july|1 و2 يوليوز|deux jours|two days"]),
 ("ar", "ما هو موضوع المناظرة الوطنية؟", [r"استراتيجية ناجعة|efficiente et ethique|efficient and ethical"]),
 ("ar", "هل هناك محور حول الحكامة؟", [r"الحكامة|gouvernance|governance"]),
 ("ar", "المناظرة فأي مدينة؟", [r"الرباط|rabat"]),
 ("ar", "ما الذي يطمح إليه المغرب من خلال هذه المناظرة؟", [r"قطب|hub"]),
 ("ar", "هل سيشارك شركاء من أوروبا؟", [r"الاوروبيين|europeens|european"]),
 ("ar", "من هي الوزيرة التي قدمت المناظرة للصحافة؟", [r"السغروشني|seghrouchni"]),
]

def sections():
    out = []
    for p in sorted(K.rglob("*")):
        if p.is_file() and p.name != "README.md":
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
        hits = [t for t in terms if re.search(r"(?<!\w)" + re.escape(fold(t)), alltext)]
        if hits:
            print("OOS term found in knowledge:", q, hits); bad += 1
        rows.append({"lang": lang, "question": q, "expect": None})
    for lang, q, pats in INS:
        n = [(f, t[:60]) for f, t in secs if any(re.search(fold(p), t) for p in pats)]
        print(f"{len(n):2d} sections <- [{lang}] {q}")
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

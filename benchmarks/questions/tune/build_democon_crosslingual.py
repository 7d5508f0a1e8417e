#!/usr/bin/env python3
"""Build democon-crosslingual.jsonl: democon sessions asked about in other words (translated or
paraphrased title, or paraphrased abstract) in en/fr/ar. Each regex is a fragment of the intended
session's title; the check below asserts it matches exactly that one title in pretalx-democon.json."""
import json, pathlib, re, unicodedata

SCHED = "/work/shared/eval/schedules/pretalx-democon.json"
OUT = pathlib.Path(__file__).with_name("democon-crosslingual.jsonl")

def fold(s):
    s = unicodedata.normalize("NFKD", s.lower())
    return "".join(c for c in s if not unicodedata.combining(c))

# (lang, question, fragment, intended title)
Q = [
 ("en", "Is there a workshop about keeping customers loyal around the clock?", "customer loyalty", "Monitored 24hour customer loyalty"),
 ("en", "When is the talk about a sixth-generation website built with quality in mind?", "quality-focused", "Quality-focused 6thgeneration website"),
 ("en", "Who presents the methodical superstructure with three buffers?", "triple-buffered", "Triple-buffered methodical superstructure"),
 ("en", "Is there a help desk session about modular networks?", "networked modular", "Networked modular help-desk"),
 ("en", "When is the talk on a directional algorithm that was scaled down?", "down-sized directional", "Down-sized directional algorithm"),
 ("en", "Which workshop deals with dedicated success across groups?", "cross-group", "Cross-group dedicated success"),
 ("en", "Where is the session on an improved asymmetric function?", "ameliorated asymmetric", "Ameliorated asymmetric function"),
 ("en", "Where is the talk about a dynamic interface that got enhanced?", "enhanced dynamic", "Enhanced dynamic interface"),
 ("en", "Is there a talk on exclusive, systematic AI?", "exclusive systematic", "Exclusive systematic artificial intelligence"),
 ("en", "Which room hosts the talk on visionary throughput that depends on context?", "visionary context", "Visionary context-sensitive throughput"),
 ("en", "Which talk is about growing frictionless architectures?", "secured mobile", "Secured mobile concept"),
 ("fr", "Y a-t-il une session sur du matériel de cinquième génération ?", "focused 5thgeneration", "Focused 5thgeneration hardware"),
 ("fr", "Où a lieu l'exposé sur un concept mobile sécurisé ?", "secured mobile", "Secured mobile concept"),
 ("fr", "La conférence sur une boîte à outils orientée objet et polarisée, c'est quand ?", "polarized object", "Polarized object-oriented toolset"),
 ("fr", "Une session sur un modérateur non volatile centré sur l'utilisateur ?", "non-volatile", "User-centric non-volatile moderator"),
 ("fr", "Quand parle-t-on d'une approche opérationnelle d'analyse ?", "operative analyzing", "Operative analyzing approach"),
 ("fr", "L'algorithme multicanal englobant, c'est à quelle heure ?", "encompassing algorithm", "Multi-channeled encompassing algorithm"),
 ("fr", "Qui présente le modèle client-serveur étendu ?", "client-server", "Expanded client-server moderator"),
 ("fr", "L'atelier sur un tableau inverse et motivant, c'est où ?", "inverse motivating", "Inverse motivating array"),
 ("fr", "Quand est l'atelier sur une ligne sécurisée décentralisée orientée solutions ?", "decentralized solution", "Decentralized solution-oriented secured line"),
 ("fr", "Une conf sur une structure tarifaire immatérielle agrandie ?", "up-sized intangible", "Up-sized intangible pricing structure"),
 ("fr", "Quelle session propose de « cultiver des livrables B2C » ?", "stand-alone asymmetric", "Stand-alone asymmetric toolset"),
 ("ar", "هل توجد جلسة عن البرمجيات الثابتة من الجيل الرابع؟", "4thgeneration firmware", "Ameliorated 4thgeneration firmware"),
 ("ar", "متى تقام الورشة حول سياسة شبكية مؤمنة؟", "grid-enabled", "Secured grid-enabled policy"),
 ("ar", "أين تقام المحاضرة حول البرمجيات الوسيطة المعظمة؟", "maximized middleware", "Enhanced maximized middleware"),
 ("ar", "متى ورشة المركز المتقدم الذي يعمل 24 ساعة؟", "advanced 24hour", "Advanced 24hour hub"),
 ("ar", "هل هناك محاضرة عن التعقيد اللاتماثلي بالهندسة العكسية؟", "reverse-engineered", "Reverse-engineered asymmetric complexity"),
 ("ar", "شكون كيقدم الجلسة على منتج متعدد القنوات صديق للبيئة؟", "eco-centric", "Multi-channeled eco-centric product"),
 ("ar", "ورشة العمل حول مجموعة أدوات موحدة ومتآزرة، فوقاش؟", "synergized uniform", "Synergized uniform toolset"),
 ("ar", "محاضرة عن مجموعة تركيز لمراقبة عرض النطاق، متى؟", "re-engineered bandwidth", "Re-engineered bandwidth-monitored focus group"),
 ("ar", "متى تقام المحاضرة حول تركيب مريح متعدد الحالات؟", "ergonomic multi-state", "Ergonomic multi-state installation"),
 ("ar", "ورشة حول واجهة مستخدم رسومية استباقية ومتطورة؟", "proactive leadingedge", "Proactive leadingedge Graphical User Interface"),
 ("ar", "أي جلسة تتحدث عن تنفيذ التجارة الإلكترونية الموزعة؟", "networked modular", "Networked modular help-desk"),
]

c = json.load(open(SCHED))["schedule"]["conference"]
titles = [e["title"] for d in c["days"] for r in d["rooms"].values() for e in r]
with open(OUT, "w", encoding="utf-8") as fh:
    for lang, q, frag, title in Q:
        hits = [t for t in titles if re.search(fold(frag), fold(t))]
        assert hits == [title], (frag, hits)
        assert fold(frag) not in fold(q), ("fragment quoted in question", q)
        fh.write(json.dumps({"lang": lang, "question": q, "expect": [frag]}, ensure_ascii=False) + "\n")
from collections import Counter
print(len(Q), Counter(x[0] for x in Q))

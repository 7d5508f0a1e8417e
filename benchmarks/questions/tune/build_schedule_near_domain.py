#!/usr/bin/env python3
"""Build rc3-near-domain.jsonl and democon-near-domain.jsonl (issue 10 tuning sets) and check them.

Out of scope (expect null): near-domain questions the export cannot answer (other events, people
not in the programme, products, how-tos, the venue's surroundings, other countries' laws); none
of each question's key terms occurs (folded) anywhere in the export. In scope: each regex (a
title fragment) must match exactly one session title of the export, and must not occur in the
question. No question of another set is reused.
"""
import json, pathlib, re, sys, unicodedata

EXPORTS = pathlib.Path(__file__).resolve().parents[4] / "shared" / "eval" / "schedules"

def fold(s):
    s = unicodedata.normalize("NFKD", s.lower())
    return "".join(c for c in s if not unicodedata.combining(c))

SETS = {
 "rc3": {
  "oos": [
   ("en", "When does 38C3 start in Hamburg?", ["38c3"]),
   ("en", "Is Bruce Schneier giving a talk?", ["schneier"]),
   ("en", "How do I flash OpenWrt on my router?", ["openwrt"]),
   ("en", "who is the german federal minister of the interior", ["interior", "innern"]),
   ("en", "How do I set up a relay for the onion network?", ["onion", "relay"]),
   ("en", "Where can I buy a Raspberry Pi cheaply?", ["raspberry"]),
   ("en", "When is DEF CON in Las Vegas?", ["def con", "vegas"]),
   ("fr", "Quelle distribution Linux choisir quand on débute ?", ["distribution", "debut"]),
   ("fr", "Comment chiffrer mes courriels avec GPG ?", ["gpg", "courriel"]),
   ("fr", "Quand a lieu le FOSDEM à Bruxelles ?", ["fosdem", "bruxelles"]),
   ("fr", "Où acheter une clé YubiKey ?", ["yubikey"]),
   ("fr", "Que dit la loi brésilienne sur la surveillance ?", ["bresil", "brazil", "brasil"]),
   ("fr", "Un bon kebab près du lieu ?", ["kebab"]),
   ("ar", "متى سيتحدث إدوارد سنودن؟", ["سنودن"]),
   ("ar", "كيف أثبت نظام لينكس على حاسوبي؟", ["لينكس"]),
   ("ar", "ما هو قانون حماية البيانات في إسبانيا؟", ["spain", "spanien", "إسبانيا"]),
   ("ar", "أين أشتري حاسوب راسبيري باي؟", ["راسبيري", "raspberry"]),
  ],
  "ins": [
   ("en", "Is there a talk on testing router firmware on real devices?", [r"gluon auf echter hardware"]),
   ("fr", "Y a-t-il une conférence sur la radio amateur ?", [r"amateurfunk hacken"]),
   ("ar", "متى المحاضرة عن الأسلحة ذاتية التشغيل؟", [r"autonomous weapons"]),
   ("en", "Who speaks about online violence against women?", [r"digitale gewalt gegen frauen"]),
   ("fr", "Une session sur les aliments miracles ?", [r"superfood"]),
   ("ar", "هل هناك محاضرة تنتقد الذكاء الاصطناعي؟", [r"artificial stupidity"]),
   ("en", "Is there something about building things with a laser cutter?", [r"lasercutter"]),
   ("fr", "Y a-t-il une conférence sur les lunettes roses du Fédivers ?", [r"rosarote brille"]),
  ],
 },
 "democon": {
  "oos": [
   ("en", "Who is the CEO of Salesforce?", ["salesforce"]),
   ("en", "How much does a Zendesk licence cost?", ["zendesk"]),
   ("en", "How do I update my router's firmware?", ["router"]),
   ("en", "Is Linus Torvalds giving a keynote?", ["torvalds"]),
   ("en", "When is KubeCon Europe?", ["kubecon"]),
   ("en", "Where can I grab lunch around the Gray Room?", ["restaurant", "cafe", "grab"]),
   ("fr", "Quel est le meilleur logiciel de service client du marché ?", ["marche"]),
   ("fr", "Comment écrire un middleware pour Express ?", ["express"]),
   ("fr", "Quand Barack Obama prend-il la parole ?", ["obama"]),
   ("fr", "Quelle est la réglementation européenne sur les données ?", ["europe", "reglementation"]),
   ("fr", "Y a-t-il une auberge près du lieu ?", ["auberge", "hostel"]),
   ("ar", "من هو المدير التنفيذي لشركة أمازون؟", ["amazon", "أمازون"]),
   ("ar", "كيف أصمم واجهة مستخدم في فيغما؟", ["figma", "فيغما"]),
   ("ar", "متى تنعقد قمة الويب في لشبونة؟", ["lisbon", "لشبونة"]),
   ("ar", "متى سيتحدث بيل غيتس؟", ["gates", "غيتس"]),
  ],
  "ins": [
   ("en", "Is there a workshop about keeping customers loyal?", [r"customer loyalty"]),
   ("fr", "Quelle session parle d'intelligence artificielle ?", [r"systematic artificial intelligence"]),
   ("ar", "هل هناك ورشة حول الواجهة الرسومية للمستخدم؟", [r"graphical user interface"]),
   ("en", "Where is the talk about pricing?", [r"intangible pricing"]),
   ("fr", "Une conférence sur le micrologiciel ?", [r"4thgeneration firmware"]),
   ("ar", "متى محاضرة المفهوم المحمول المؤمن؟", [r"secured mobile concept"]),
   ("en", "When is the session on a website of the sixth generation?", [r"6thgeneration website"]),
   ("fr", "Qui anime l'atelier sur une fonction stable gérée ?", [r"managed stable function"]),
  ],
 },
}

def main():
    bad = 0
    for name, spec in SETS.items():
        data = json.loads((EXPORTS / f"pretalx-{name}.json").read_text(encoding="utf-8"))
        alltext = fold(json.dumps(data, ensure_ascii=False))
        titles = [fold(e["title"]) for d in data["schedule"]["conference"]["days"]
                  for evs in d["rooms"].values() for e in evs]
        rows = []
        for lang, q, terms in spec["oos"]:
            hits = [t for t in terms if re.search(r"(?<!\w)" + re.escape(fold(t)), alltext)]
            if hits:
                print(name, "OOS term found:", q, hits); bad += 1
            rows.append({"lang": lang, "question": q, "expect": None})
        for lang, q, pats in spec["ins"]:
            n = [t for t in titles if any(re.search(p, t) for p in pats)]
            if len(n) != 1 or any(re.search(p, fold(q)) for p in pats):
                print(name, "bad in-scope:", q, n); bad += 1
            rows.append({"lang": lang, "question": q, "expect": pats})
        out = pathlib.Path(__file__).with_name(f"{name}-near-domain.jsonl")
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        print(name, len(rows), "written")
    print(bad, "problems")
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main())

"""A small French / English / Arabic lexicon of conference words, for cross-lingual BM25.

A question in one language about content in another shares no word with it ("workshop for
kids" and "atelier pour les enfants"): the dense model bridges part of the gap; this lexicon
adds the translations of the question's conference words to the lexical query, so BM25 can
bridge the rest. Only words a programme or its press texts use, never topics of one event.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from bot.search.normalise import stems, words

# Each line: equivalent words (any language, any inflection worth listing).
_GROUPS = """
workshop workshops atelier ateliers ورشة ورشات الورشة ورشه
talk talks conference conférence conférences exposé présentation محاضرة المحاضرة محاضرات
session sessions séance séances جلسة الجلسة جلسات
keynote keynotes plénière plénières
panel panels débat débats ندوة نقاش
opening ouverture inaugural افتتاح الافتتاح افتتاحية
closing clôture ختام الختام اختتام ختامية
ceremony cérémonie حفل الحفل
kids children child enfants enfant jeunes أطفال الأطفال للأطفال
beginners beginner débutants débutant مبتدئين للمبتدئين
lunch déjeuner غداء الغداء
dinner dîner عشاء
coffee café قهوة
break pause استراحة
party soirée fête حفلة
registration inscription inscriptions تسجيل التسجيل
badge badges شارة
room salle salles قاعة القاعة
stage scène منصة
speaker speakers intervenant intervenants orateur conférencier conférenciers متحدث المتحدث متدخل
organisers organizers organisateurs منظمين المنظمين
sponsors sponsor sponsors partenaires partners رعاة شركاء
day jour journée يوم اليوم
morning matin matinée صباح الصباح
afternoon après-midi مساء بعد الظهر
evening soir soirée ليلا المساء
first premier première أول الأول
last dernier dernière آخر الأخير
free gratuit gratuite مجاني مجانا
ticket tickets billet billets تذكرة تذاكر
language langue langues لغة
english anglais الإنجليزية بالإنجليزية
french français الفرنسية بالفرنسية
arabic arabe العربية بالعربية
women femmes نساء النساء
security sécurité أمن الأمن
privacy confidentialité خصوصية
health santé صحة الصحة
education éducation enseignement تعليم التعليم
science sciences علوم
data données بيانات البيانات
web web ويب
network réseau réseaux شبكة شبكات
software logiciel logiciels برمجيات البرمجيات
hardware matériel عتاد
community communauté مجتمع
government gouvernement حكومة
ethics éthique أخلاقيات
climate climat مناخ المناخ
energy énergie طاقة الطاقة
agriculture agriculture فلاحة الفلاحة زراعة
culture culture ثقافة الثقافة
sport sport رياضة الرياضة
media médias medias إعلام الإعلام
music musique موسيقى
art art arts فن الفنون
games jeux jeu ألعاب
video vidéo فيديو
poster posters affiche affiches ملصق
demo demos démonstration démonstrations عرض عروض
prize prix award جائزة
hackathon hackathon هاكاثون
monday lundi الاثنين الإثنين
tuesday mardi الثلاثاء
wednesday mercredi الأربعاء الاربعاء
thursday jeudi الخميس
friday vendredi الجمعة
saturday samedi السبت
sunday dimanche الأحد الاحد
january janvier يناير
february février فبراير
march mars مارس
april avril أبريل
may mai ماي مايو
june juin يونيو
july juillet يوليوز يوليو
august août غشت أغسطس
september septembre شتنبر سبتمبر
october octobre أكتوبر
november novembre نونبر نوفمبر
december décembre دجنبر ديسمبر
german allemand الألمانية
spanish espagnol الإسبانية
ai ia الذكاء-الاصطناعي
eu ue
gdpr rgpd
policy policies politique politiques سياسة السياسة
secure secured sécurisé sécurisée sécurisés مؤمن مؤمنة
system systems système systèmes نظام أنظمة
interface interfaces واجهة
user users utilisateur utilisateurs مستخدم المستخدم
model models modèle modèles نموذج
analysis analyse تحليل
tool tools toolkit toolset outil outils أداة أدوات
customer customers client clients عملاء زبائن
product products produit produits منتج منتجات
generation génération جيل الجيل
deliverables livrables مخرجات
growth croissance نمو
"""


@lru_cache(maxsize=1)
def _stem_groups() -> dict[str, frozenset[str]]:
    """Stem -> the stems of every word of its groups (a stem may belong to several)."""
    groups: dict[str, set[str]] = {}
    for line in _GROUPS.strip().splitlines():
        members = {s for word in line.split() for w in words(word) for s in stems(w)}
        for stem in members:
            groups.setdefault(stem, set()).update(members)
    return {stem: frozenset(found) for stem, found in groups.items()}


@lru_cache(maxsize=1)
def _word_groups() -> dict[str, frozenset[str]]:
    """Normalised word -> every normalised word of its groups."""
    groups: dict[str, set[str]] = {}
    for line in _GROUPS.strip().splitlines():
        members = {w for word in line.split() for w in words(word)}
        for word in members:
            groups.setdefault(word, set()).update(members)
    return {word: frozenset(found) for word, found in groups.items()}


def in_lexicon(word: str) -> bool:
    """Whether a normalised word is one of the lexicon's conference or calendar words."""
    return word in _word_groups()


def equivalents(word: str) -> frozenset[str]:
    """The words the lexicon pairs with a normalised word ("ai" and "ia"), itself included."""
    return _word_groups().get(word, frozenset((word,)))


def translations(tokens: Sequence[str]) -> list[str]:
    """The stems the lexicon pairs with these query stems, the query's own left out."""
    groups = _stem_groups()
    asked = set(tokens)
    found: dict[str, None] = {}
    for token in tokens:
        for stem in sorted(groups.get(token, ())):
            if stem not in asked:
                found[stem] = None
    return list(found)

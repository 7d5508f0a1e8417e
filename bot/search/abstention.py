"""Foil questions: what attendees may ask that no event knowledge answers (abstention anchors).

They are embedded like passages next to the real ones. When a question is clearly closer to one
of these than to every passage of the knowledge, the assistant says it does not know instead of
answering "what's the weather" with a random passage. They deliberately avoid the topics a
conference programme covers (dates, places, rooms, speakers, themes, organisers, sponsors).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from bot.domain import Vertical

OFF_TOPIC_QUESTIONS: tuple[str, ...] = (
    # weather
    "Quelle météo pour demain ?",
    "كيف سيكون الطقس غدا؟",
    # geography and general knowledge
    "Quelle est la capitale du Brésil ?",
    "Quelle est la plus haute montagne du monde ?",
    "ما هو أطول نهر في العالم؟",
    "Who is the president of the United States?",
    "Qui est le Premier ministre du Royaume-Uni ?",
    "How far is the Moon from the Earth?",
    "En quelle année a eu lieu la Révolution française ?",
    "متى بنيت الأهرامات؟",
    "What is the square root of 144?",
    # food
    "Which café near here serves a good breakfast?",
    "Un bon restaurant pas cher près d'ici ?",
    "أين أجد مطعما جيدا بالقرب من هنا؟",
    "Where can I order a pizza nearby?",
    "Où acheter un sandwich dans le quartier ?",
    "How do I bake bread at home?",
    "Comment préparer une salade niçoise ?",
    "كيف أطبخ الكسكس بالخضر؟",
    "How do I cook a lamb tajine?",
    "كيف أحضر الشاي بالنعناع؟",
    "What should I eat for dinner tonight?",
    "Quel vin servir avec du poisson ?",
    "ما هي مكونات الحريرة؟",
    # travel and prices
    "How much is a train ticket from Madrid to Barcelona?",
    "ما هو سعر تذكرة الطائرة إلى دبي؟",
    "Where can I rent a car cheaply?",
    "Quels documents faut-il pour un visa touristique ?",
    "كم تستغرق الرحلة بالقطار؟",
    # shopping and computers
    "Which smartphone should I buy?",
    "Quel ordinateur portable acheter pour les études ?",
    "ما هو أفضل هاتف ذكي؟",
    "How do I fix my Wi-Fi connection?",
    "Comment mettre à jour Windows ?",
    "Comment réinitialiser mon mot de passe Gmail ?",
    "كيف أحذف حسابي على فيسبوك؟",
    # sport results
    "Who won the Champions League last year?",
    "Quel est le score du match de football d'hier ?",
    "من فاز بكأس العالم؟",
    "When are the next Olympic Games?",
    # money
    "What is the exchange rate of the euro to the dollar?",
    "Comment ouvrir un compte bancaire ?",
    "Is bitcoin a good buy right now?",
    # health advice
    "What are the symptoms of the flu?",
    "Comment perdre du poids rapidement ?",
    "ما هو علاج الصداع؟",
    "How many hours should I sleep?",
    # leisure
    "Recommend a good movie to watch.",
    "Quelle série regarder ce soir ?",
    "ما هو أفضل كتاب للقراءة؟",
    "Tell me a joke.",
    "Raconte-moi une blague.",
    # learning and daily life
    "How do I learn to play the guitar?",
    "Comment apprendre l'anglais rapidement ?",
    "كيف أتعلم السباحة؟",
    "How do I write a good CV?",
    "Comment faire pousser des tomates ?",
    "How do I train my dog?",
    # small talk
    "How are you today?",
    "Comment tu t'appelles ?",
    "كم عمرك؟",
    # general knowledge about AI (not facts about the event)
    "How does a neural network work?",
    "Which university is the best in the country?",
    "Quelle est la meilleure université du pays ?",
    # chores for a general-purpose assistant
    "Write me a poem about the sea.",
    "اكتب لي رسالة إلى صديقي.",
)

# Local questions about the event's city share its name with the knowledge, so they get foils
# naming that city too: a forecast asked for the city must lose to a foil, not win a press passage.
CITY_QUESTIONS: tuple[str, ...] = (
    "Do I need an umbrella in {city} this month?",
    "Va-t-il pleuvoir à {city} la semaine prochaine ?",
    "هل ستمطر في {city} الأسبوع المقبل؟",
    "Is there a cheap hostel in {city}?",
    "Une auberge de jeunesse pas chère à {city} ?",
    "أين أجد نزلا رخيصا في {city}؟",
    "Which bus line crosses {city}?",
    "Which museums in {city} open on Sundays?",
    "Quels musées de {city} ouvrent le dimanche ?",
    "What is the forecast for {city} this month?",
    "Prévisions météo pour {city} cette semaine ?",
    "ما هي توقعات الطقس في {city} هذا الأسبوع؟",
    "Is it hot in {city} in summer?",
    "Fait-il chaud à {city} en été ?",
    "هل الجو حار في {city} في الصيف؟",
    "Combien d'habitants compte {city} ?",
    "كم عدد سكان {city}؟",
    "How long does the bus take from the airport to {city}?",
    "Quel est le prix du billet de tram à {city} ?",
)


# Generated from the event's own topics (its verticals, in each language): among the nearest
# questions the knowledge does not answer are those about who governs its topics outside the
# event, and no generic foil comes near them. (A "news about {topic}" foil was measured too: it
# refused in-scope questions about the topics themselves.)
TOPIC_QUESTIONS: dict[str, tuple[str, ...]] = {
    "en": ("Who is the government minister for {topic}?",),
    "fr": ("Qui est le ministre du gouvernement chargé de : {topic} ?",),
    "ar": ("من هو وزير الحكومة المسؤول عن {topic}؟",),
}


def foil_questions(city: str = "", topics: Mapping[str, Sequence[str]] | None = None) -> list[str]:
    """The foils for a knowledge base whose event takes place in `city` (if known) and whose
    topics are `topics` (language -> names, e.g. the verticals)."""
    local = [question.format(city=city) for question in CITY_QUESTIONS] if city else []
    generated = [
        template.format(topic=topic)
        for language, names in (topics or {}).items()
        for template in TOPIC_QUESTIONS.get(language, ())
        for topic in names
    ]
    return [*OFF_TOPIC_QUESTIONS, *local, *generated]


def event_topics(verticals: Iterable[Vertical]) -> dict[str, list[str]]:
    """The verticals' names by language, for `foil_questions`."""
    topics: dict[str, list[str]] = {}
    for vertical in verticals:
        for language, name in vertical.names.items():
            topics.setdefault(language, []).append(name)
    return topics

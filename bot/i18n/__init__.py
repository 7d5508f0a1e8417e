"""Every string the assistant writes, in French, English and Arabic."""

from __future__ import annotations

from bot.domain import LANGUAGES

DEFAULT_LANGUAGE = "fr"

MESSAGES: dict[str, dict[str, str]] = {
    "abstain": {
        "fr": "Je n'ai rien trouvé de fiable sur ce sujet dans les informations de l'événement.",
        "en": "I could not find anything reliable about this in the event's information.",
        "ar": "لم أجد معلومات موثوقة حول هذا الموضوع في معطيات الحدث.",
    },
    "sources": {"fr": "Sources", "en": "Sources", "ar": "المصادر"},
    "illustrative": {
        "fr": "(détail illustratif, à confirmer par les organisateurs)",
        "en": "(illustrative detail, to be confirmed by the organisers)",
        "ar": "(تفصيل توضيحي، في انتظار تأكيد المنظمين)",
    },
    # --- retrieval and terminal chat (H3) ---
    "chat_intro": {
        "fr": "Posez votre question sur l'événement (/quit pour quitter).",
        "en": "Ask your question about the event (/quit to leave).",
        "ar": "اطرح سؤالك حول الحدث (/quit للخروج).",
    },
    # --- conversation (H4) ---
    "welcome": {
        "fr": (
            "Bienvenue ! Je suis l'assistant de l'événement « {event} ».\n\n"
            "Posez-moi vos questions en français, en anglais ou en arabe : dates, lieu, "
            "programme, verticales. Je cite toujours mes sources.\n\n"
            "Vous êtes maintenant abonné(e) aux annonces des organisateurs. "
            "Pour ne plus les recevoir : /stop. Toutes les commandes : /help."
        ),
        "en": (
            'Welcome! I am the assistant of the event "{event}".\n\n'
            "Ask me anything in French, English or Arabic: dates, place, programme, "
            "verticals. I always say where my answer comes from.\n\n"
            "You are now subscribed to the organisers' announcements. "
            "To stop them: /stop. Every command: /help."
        ),
        "ar": (
            "مرحبا! أنا مساعد «{event}».\n\n"
            "اطرح أسئلتك بالعربية أو الفرنسية أو الإنجليزية: التواريخ، المكان، البرنامج، "
            "المحاور. أذكر دائما مصدر جوابي.\n\n"
            "أنت الآن مشترك في إعلانات المنظمين. لإيقافها: /stop. كل الأوامر: /help."
        ),
    },
    "welcome_group": {
        "fr": (
            "Bonjour ! Dans un groupe, mentionnez-moi avec votre question, ou écrivez-moi en privé."
        ),
        "en": "Hello! In a group, mention me with your question, or write to me privately.",
        "ar": "مرحبا! في المجموعة، اذكرني مع سؤالك، أو راسلني على الخاص.",
    },
    "stopped": {
        "fr": "C'est noté : vous ne recevrez plus d'annonces. /start pour vous réabonner.",
        "en": "Done: you will no longer receive announcements. /start to subscribe again.",
        "ar": "تم: لن تتلقى الإعلانات بعد الآن. أرسل /start لإعادة الاشتراك.",
    },
    "help": {
        "fr": (
            "Écrivez simplement votre question, par exemple « Quand ont lieu les Assises ? ».\n\n"
            "/programme – le programme jour par jour\n/today – les séances du jour\n"
            "/now – ce qui se passe maintenant\n/next – les prochaines séances\n"
            "/verticals – les verticales thématiques\n/agenda – mes séances enregistrées\n"
            "/lang – changer de langue\n/stop – ne plus recevoir les annonces\n\n"
            "Dans n'importe quelle discussion, tapez @{bot} suivi de mots pour partager une séance."
        ),
        "en": (
            'Just type your question, for example "When is the conference?".\n\n'
            "/programme – the programme day by day\n/today – today's sessions\n"
            "/now – what is on right now\n/next – the next sessions\n"
            "/verticals – the thematic verticals\n/agenda – my saved sessions\n"
            "/lang – change language\n/stop – stop announcements\n\n"
            "In any chat, type @{bot} followed by words to share a session."
        ),
        "ar": (
            "اكتب سؤالك مباشرة، مثلا «متى تنعقد المناظرة؟».\n\n"
            "/programme – البرنامج يوما بيوم\n/today – جلسات اليوم\n"
            "/now – ما يجري الآن\n/next – الجلسات المقبلة\n"
            "/verticals – المحاور الموضوعاتية\n/agenda – جلساتي المحفوظة\n"
            "/lang – تغيير اللغة\n/stop – إيقاف الإعلانات\n\n"
            "في أي محادثة، اكتب @{bot} متبوعا بكلمات لمشاركة جلسة."
        ),
    },
    "lang_choose": {
        "fr": "Choisissez votre langue :",
        "en": "Choose your language:",
        "ar": "اختر لغتك:",
    },
    "lang_set": {
        "fr": "Très bien, je vous parle désormais en français.",
        "en": "All right, I will speak English with you from now on.",
        "ar": "حسنا، سأتحدث معك بالعربية من الآن فصاعدا.",
    },
    "cmd_start": {
        "fr": "Accueil et abonnement",
        "en": "Welcome and subscribe",
        "ar": "الترحيب والاشتراك",
    },
    "cmd_help": {"fr": "Aide", "en": "Help", "ar": "مساعدة"},
    "cmd_programme": {"fr": "Le programme", "en": "The programme", "ar": "البرنامج"},
    "cmd_today": {"fr": "Les séances du jour", "en": "Today's sessions", "ar": "جلسات اليوم"},
    "cmd_now": {"fr": "En ce moment", "en": "On now", "ar": "الآن"},
    "cmd_next": {"fr": "Prochaines séances", "en": "Next sessions", "ar": "الجلسات المقبلة"},
    "cmd_verticals": {"fr": "Les verticales", "en": "The verticals", "ar": "المحاور"},
    "cmd_agenda": {"fr": "Mon agenda", "en": "My agenda", "ar": "برنامجي"},
    "cmd_lang": {"fr": "Changer de langue", "en": "Change language", "ar": "تغيير اللغة"},
    "cmd_stop": {
        "fr": "Ne plus recevoir les annonces",
        "en": "Stop announcements",
        "ar": "إيقاف الإعلانات",
    },
    "btn_save": {
        "fr": "⭐ Ajouter à mon agenda",
        "en": "⭐ Save to my agenda",
        "ar": "⭐ أضف إلى برنامجي",
    },
    "btn_unsave": {
        "fr": "✖ Retirer de mon agenda",
        "en": "✖ Remove from my agenda",
        "ar": "✖ احذف من برنامجي",
    },
    "btn_remind": {"fr": "⏰ Me le rappeler", "en": "⏰ Remind me", "ar": "⏰ ذكرني"},
    "btn_ics": {
        "fr": "📅 Calendrier (.ics)",
        "en": "📅 Calendar (.ics)",
        "ar": "📅 التقويم (.ics)",
    },
    "btn_open": {"fr": "🔎 Voir la séance", "en": "🔎 Open the session", "ar": "🔎 عرض الجلسة"},
    "btn_programme": {"fr": "📋 Programme", "en": "📋 Programme", "ar": "📋 البرنامج"},
    "btn_verticals": {"fr": "🧭 Verticales", "en": "🧭 Verticals", "ar": "🧭 المحاور"},
    "btn_days": {"fr": "« Jours", "en": "« Days", "ar": "« الأيام"},
    "btn_back": {"fr": "« Retour", "en": "« Back", "ar": "« رجوع"},
    "btn_open_bot": {"fr": "Ouvrir l'assistant", "en": "Open the assistant", "ar": "فتح المساعد"},
    "programme_title": {"fr": "Programme", "en": "Programme", "ar": "البرنامج"},
    "programme_pick_day": {"fr": "Choisissez un jour :", "en": "Pick a day:", "ar": "اختر يوما:"},
    "programme_empty": {
        "fr": "Le programme n'est pas encore publié.",
        "en": "The programme has not been published yet.",
        "ar": "لم يُنشر البرنامج بعد.",
    },
    "day_empty": {
        "fr": "Aucune séance ce jour-là.",
        "en": "No sessions that day.",
        "ar": "لا جلسات في ذلك اليوم.",
    },
    "page_of": {
        "fr": "page {page}/{pages}",
        "en": "page {page}/{pages}",
        "ar": "الصفحة {page}/{pages}",
    },
    "verticals_title": {
        "fr": "Verticales thématiques",
        "en": "Thematic verticals",
        "ar": "المحاور الموضوعاتية",
    },
    "verticals_empty": {
        "fr": "Aucune verticale n'est encore publiée.",
        "en": "No verticals have been published yet.",
        "ar": "لم تُنشر أي محاور بعد.",
    },
    "vertical_no_sessions": {
        "fr": "Pas encore de séance annoncée pour cette verticale.",
        "en": "No session announced for this vertical yet.",
        "ar": "لم يُعلن بعد عن أي جلسة لهذا المحور.",
    },
    "session_unknown": {
        "fr": "Cette séance n'est plus au programme.",
        "en": "This session is no longer in the programme.",
        "ar": "لم تعد هذه الجلسة ضمن البرنامج.",
    },
    "session_cancelled": {"fr": "ANNULÉE", "en": "CANCELLED", "ar": "أُلغيت"},
    "today_title": {"fr": "Aujourd'hui", "en": "Today", "ar": "اليوم"},
    "today_none": {
        "fr": "Aucune séance aujourd'hui.",
        "en": "No sessions today.",
        "ar": "لا جلسات اليوم.",
    },
    "now_title": {"fr": "En ce moment", "en": "On now", "ar": "الآن"},
    "now_none": {
        "fr": "Aucune séance en cours pour le moment.",
        "en": "No session is on right now.",
        "ar": "لا توجد جلسة جارية حاليا.",
    },
    "next_title": {"fr": "Prochaines séances", "en": "Next sessions", "ar": "الجلسات المقبلة"},
    "countdown": {
        "fr": "{event} commence dans {delay} ({date}).",
        "en": "{event} starts in {delay} ({date}).",
        "ar": "يبدأ {event} بعد {delay} ({date}).",
    },
    "delay_days": {
        "fr": "{days} j {hours} h",
        "en": "{days} d {hours} h",
        "ar": "{days} يوم و{hours} ساعة",
    },
    "delay_hours": {
        "fr": "{hours} h {minutes} min",
        "en": "{hours} h {minutes} min",
        "ar": "{hours} ساعة و{minutes} دقيقة",
    },
    "event_ended": {
        "fr": "L'événement est terminé. Merci d'y avoir participé !",
        "en": "The event has ended. Thank you for taking part!",
        "ar": "انتهى الحدث. شكرا على مشاركتك!",
    },
    "no_event": {
        "fr": "Les dates de l'événement ne sont pas encore connues.",
        "en": "The event's dates are not known yet.",
        "ar": "تواريخ الحدث غير معروفة بعد.",
    },
    "abstain_offer": {
        "fr": "Le programme et les verticales peuvent peut-être vous aider :",
        "en": "The programme and the verticals may help:",
        "ar": "قد يفيدك البرنامج والمحاور:",
    },
    "feedback_thanks": {
        "fr": "Merci pour votre avis !",
        "en": "Thanks for your feedback!",
        "ar": "شكرا على رأيك!",
    },
    "saved": {
        "fr": "Ajoutée à votre agenda.",
        "en": "Saved to your agenda.",
        "ar": "أُضيفت إلى برنامجك.",
    },
    "already_saved": {
        "fr": "Déjà dans votre agenda.",
        "en": "Already in your agenda.",
        "ar": "موجودة في برنامجك.",
    },
    "unsaved": {
        "fr": "Retirée de votre agenda.",
        "en": "Removed from your agenda.",
        "ar": "حُذفت من برنامجك.",
    },
    "unavailable": {
        "fr": "Cette fonction n'est pas encore disponible.",
        "en": "This is not available yet.",
        "ar": "هذه الخاصية غير متاحة بعد.",
    },
    "trimmed": {
        "fr": "(Message long : j'en ai lu les {limit} premiers caractères.)",
        "en": "(Long message: I read its first {limit} characters.)",
        "ar": "(رسالة طويلة: قرأت أول {limit} حرف منها.)",
    },
    "sticker_reply": {
        "fr": (
            "Joli ! Je ne comprends que le texte : posez-moi une question sur l'événement, "
            "ou essayez /programme."
        ),
        "en": "Nice! I only understand text: ask me a question about the event, or try /programme.",
        "ar": "جميل! أفهم النصوص فقط: اطرح علي سؤالا حول الحدث، أو جرّب /programme.",
    },
    "media_reply": {
        "fr": "Je ne lis pas les photos, vocaux ni fichiers : écrivez-moi votre question en texte.",
        "en": "I cannot read photos, voice messages or files: please type your question.",
        "ar": "لا أستطيع قراءة الصور أو الرسائل الصوتية أو الملفات: اكتب سؤالك نصا من فضلك.",
    },
    "unknown_command": {
        "fr": "Je ne connais pas cette commande. Voyez /help.",
        "en": "I do not know that command. See /help.",
        "ar": "لا أعرف هذا الأمر. انظر /help.",
    },
    "flood": {
        "fr": "Doucement ! Vous envoyez beaucoup de messages : je reprends dans une minute.",
        "en": "Easy! You are sending a lot of messages: I will be back with you in a minute.",
        "ar": "على مهلك! ترسل رسائل كثيرة: سأعود إليك بعد دقيقة.",
    },
    "next_none": {
        "fr": "Plus aucune séance prévue.",
        "en": "No more sessions are planned.",
        "ar": "لم تعد هناك جلسات مبرمجة.",
    },
    "remind_set": {
        "fr": "Je vous le rappellerai à {time}, {minutes} min avant.",
        "en": "I will remind you at {time}, {minutes} min before.",
        "ar": "سأذكرك على الساعة {time}، قبل {minutes} دقيقة.",
    },
    "remind_too_late": {
        "fr": "Trop tard pour un rappel : la séance commence bientôt.",
        "en": "Too late for a reminder: the session starts soon.",
        "ar": "فات وقت التذكير: الجلسة ستبدأ قريبا.",
    },
    "open_private": {
        "fr": "Écrivez-moi d'abord en privé (/start), puis réessayez.",
        "en": "Write to me privately first (/start), then try again.",
        "ar": "راسلني على الخاص أولا (/start)، ثم حاول مجددا.",
    },
    "error_apology": {
        "fr": "Désolé, un problème est survenu de mon côté. Réessayez dans un instant.",
        "en": "Sorry, something went wrong on my side. Please try again in a moment.",
        "ar": "عذرا، حدث خلل من جهتي. حاول مرة أخرى بعد قليل.",
    },
    # --- agenda, reminders, calendar (H7) ---
    "agenda_title": {"fr": "Mon agenda", "en": "My agenda", "ar": "برنامجي"},
    "agenda_empty": {
        "fr": "Votre agenda est vide : ouvrez une séance dans /programme et touchez ⭐.",
        "en": "Your agenda is empty: open a session in /programme and tap ⭐.",
        "ar": "برنامجك فارغ: افتح جلسة من /programme واضغط ⭐.",
    },
    "agenda_clash": {
        "fr": "en même temps qu'une autre séance de votre agenda",
        "en": "at the same time as another session in your agenda",
        "ar": "في نفس وقت جلسة أخرى في برنامجك",
    },
    "agenda_cancelled": {"fr": "(annulée)", "en": "(cancelled)", "ar": "(أُلغيت)"},
    "agenda_missing": {
        "fr": "{count} séance(s) enregistrée(s) ne figure(nt) plus au programme.",
        "en": "{count} saved session(s) no longer in the programme.",
        "ar": "{count} من الجلسات المحفوظة لم تعد ضمن البرنامج.",
    },
    "reminder_soon": {
        "fr": "Rappel : votre séance commence dans {minutes} min.",
        "en": "Reminder: your session starts in {minutes} min.",
        "ar": "تذكير: تبدأ جلستك بعد {minutes} دقيقة.",
    },
    "reminder_set": {
        "fr": "C'est noté : je vous le rappellerai à {time}.",
        "en": "Done: I will remind you at {time}.",
        "ar": "تم: سأذكرك على الساعة {time}.",
    },
    "reminder_too_late": {
        "fr": "Trop tard pour un rappel : cette séance commence bientôt ou a déjà commencé.",
        "en": "Too late for a reminder: this session starts soon or has already started.",
        "ar": "فات وقت التذكير: هذه الجلسة ستبدأ قريبا أو بدأت بالفعل.",
    },
    "reminder_cancelled": {
        "fr": "Rappel annulé.",
        "en": "Reminder cancelled.",
        "ar": "أُلغي التذكير.",
    },
    "follow_started": {
        "fr": "Vous suivez « {name} » : je vous préviendrai de ses changements de programme.",
        "en": "You follow “{name}”: I will tell you about its programme changes.",
        "ar": "أنت تتابع «{name}»: سأخبرك بتغييرات برنامجه.",
    },
    "follow_already": {
        "fr": "Vous suivez déjà « {name} ».",
        "en": "You already follow “{name}”.",
        "ar": "أنت تتابع «{name}» من قبل.",
    },
    "follow_stopped": {
        "fr": "Vous ne suivez plus « {name} ».",
        "en": "You no longer follow “{name}”.",
        "ar": "لم تعد تتابع «{name}».",
    },
    "ics_caption": {
        "fr": "Ouvrez ce fichier pour ajouter la séance à votre calendrier.",
        "en": "Open this file to add the session to your calendar.",
        "ar": "افتح هذا الملف لإضافة الجلسة إلى تقويمك.",
    },
    # --- admin, broadcast, live knowledge, reports (H5) ---
    "admin_only": {
        "fr": "Cette commande est réservée aux organisateurs.",
        "en": "This command is for the organisers only.",
        "ar": "هذا الأمر مخصص للمنظمين فقط.",
    },
    "cmd_broadcast": {
        "fr": "Envoyer une annonce aux abonnés",
        "en": "Send an announcement to subscribers",
        "ar": "إرسال إعلان إلى المشتركين",
    },
    "cmd_reload": {
        "fr": "Recharger le dossier des connaissances",
        "en": "Reload the knowledge folder",
        "ar": "إعادة تحميل ملفات المعطيات",
    },
    "cmd_stats": {
        "fr": "Statistiques d'utilisation",
        "en": "Usage statistics",
        "ar": "إحصائيات الاستخدام",
    },
    "cmd_unanswered": {
        "fr": "Questions restées sans réponse",
        "en": "Questions left unanswered",
        "ar": "أسئلة بقيت بلا جواب",
    },
    "cmd_follow": {
        "fr": "Suivre les changements d'une verticale",
        "en": "Follow a vertical's programme changes",
        "ar": "متابعة تغييرات محور",
    },
    "cmd_unfollow": {
        "fr": "Ne plus suivre une verticale",
        "en": "Stop following a vertical",
        "ar": "إيقاف متابعة محور",
    },
    "broadcast_usage": {
        "fr": (
            "Usage : /broadcast [lang=fr|en|ar] [vertical=ID] TEXTE, "
            "ou /broadcast en réponse au message à diffuser."
        ),
        "en": (
            "Usage: /broadcast [lang=fr|en|ar] [vertical=ID] TEXT, "
            "or /broadcast in reply to the message to send."
        ),
        "ar": (
            "الاستعمال: /broadcast [lang=fr|en|ar] [vertical=ID] النص، "
            "أو /broadcast ردا على الرسالة المراد إرسالها."
        ),
    },
    "broadcast_unknown_vertical": {
        "fr": "Verticale inconnue : {vertical}. Verticales connues : {known}",
        "en": "Unknown vertical: {vertical}. Known verticals: {known}",
        "ar": "محور غير معروف: {vertical}. المحاور المعروفة: {known}",
    },
    "broadcast_too_long": {
        "fr": "L'annonce est trop longue ({length} caractères ; 4096 au plus).",
        "en": "The announcement is too long ({length} characters; 4096 at most).",
        "ar": "الإعلان طويل جدا ({length} حرفا؛ 4096 على الأكثر).",
    },
    "broadcast_preview": {
        "fr": "<b>Aperçu</b> : annonce à {count} abonnés{audience}. L'envoyer ?",
        "en": "<b>Preview</b>: announcement to {count} subscribers{audience}. Send it?",
        "ar": "<b>معاينة</b>: إعلان إلى {count} مشتركا{audience}. هل تريد إرساله؟",
    },
    "broadcast_audience_language": {
        "fr": ", langue {language}",
        "en": ", language {language}",
        "ar": "، اللغة {language}",
    },
    "broadcast_audience_vertical": {
        "fr": ", abonnés à la verticale « {vertical} »",
        "en": ", followers of “{vertical}”",
        "ar": "، متابعو محور «{vertical}»",
    },
    "broadcast_send_button": {
        "fr": "✅ Envoyer à {count}",
        "en": "✅ Send to {count}",
        "ar": "✅ إرسال إلى {count}",
    },
    "broadcast_cancel_button": {"fr": "✖️ Annuler", "en": "✖️ Cancel", "ar": "✖️ إلغاء"},
    "broadcast_queued": {
        "fr": "📣 Annonce n° {id} en file pour {count} abonnés. La progression suit.",
        "en": "📣 Announcement #{id} queued for {count} subscribers. Progress follows.",
        "ar": "📣 الإعلان رقم {id} في قائمة الإرسال إلى {count} مشتركا. التقدم يتبع.",
    },
    "broadcast_cancelled": {
        "fr": "Annonce annulée : rien n'a été envoyé.",
        "en": "Announcement cancelled: nothing was sent.",
        "ar": "ألغي الإعلان: لم يرسل أي شيء.",
    },
    "broadcast_already": {
        "fr": "Cette annonce a déjà été traitée.",
        "en": "This announcement was already handled.",
        "ar": "تمت معالجة هذا الإعلان من قبل.",
    },
    "broadcast_progress": {
        "fr": (
            "📣 Annonce n° {id} : {sent}/{total} remises, {blocked} bloquées, "
            "{failed} en échec ({seconds} s)."
        ),
        "en": (
            "📣 Announcement #{id}: {sent}/{total} delivered, {blocked} blocked, "
            "{failed} failed ({seconds} s)."
        ),
        "ar": (
            "📣 الإعلان رقم {id}: سلم {sent}/{total}، محظور {blocked}، فشل {failed} ({seconds} ث)."
        ),
    },
    "broadcast_done": {
        "fr": (
            "✅ Annonce n° {id} terminée en {seconds} s : {sent} remises, "
            "{blocked} utilisateurs ont bloqué le bot, {failed} en échec."
        ),
        "en": (
            "✅ Announcement #{id} finished in {seconds} s: {sent} delivered, "
            "{blocked} users blocked the bot, {failed} failed."
        ),
        "ar": (
            "✅ انتهى الإعلان رقم {id} في {seconds} ث: سلم {sent}، "
            "{blocked} مستخدمين حظروا البوت، فشل {failed}."
        ),
    },
    "reload_done": {
        "fr": (
            "🔄 Connaissances rechargées ({state}) : {passages} passages, {sessions} séances, "
            "{embedded} passages réindexés."
        ),
        "en": (
            "🔄 Knowledge reloaded ({state}): {passages} passages, {sessions} sessions, "
            "{embedded} passages re-embedded."
        ),
        "ar": (
            "🔄 أعيد تحميل المعطيات ({state}): {passages} مقطعا، {sessions} جلسة، "
            "أعيدت فهرسة {embedded} مقطعا."
        ),
    },
    "reload_changed": {"fr": "modifiées", "en": "changed", "ar": "تغيرت"},
    "reload_unchanged": {"fr": "inchangées", "en": "unchanged", "ar": "لم تتغير"},
    "reload_no_errors": {
        "fr": "Aucune erreur.",
        "en": "No errors.",
        "ar": "لا توجد أخطاء.",
    },
    "knowledge_errors": {
        "fr": (
            "⚠️ Le dossier des connaissances a {count} erreur(s). La version précédente "
            "de ces fichiers reste en service jusqu'à leur correction :"
        ),
        "en": (
            "⚠️ The knowledge folder has {count} error(s). The previous version of these "
            "files keeps serving until they are fixed:"
        ),
        "ar": (
            "⚠️ في ملفات المعطيات {count} خطأ. تبقى النسخة السابقة من هذه الملفات "
            "معتمدة إلى أن يتم تصحيحها:"
        ),
    },
    "knowledge_fixed": {
        "fr": "✅ Le dossier des connaissances est de nouveau valide.",
        "en": "✅ The knowledge folder is valid again.",
        "ar": "✅ ملفات المعطيات سليمة من جديد.",
    },
    "stats_text": {
        "fr": (
            "📊 <b>Statistiques</b>\n"
            "Utilisateurs : {users} ({subscribed} abonnés, {blocked} ont bloqué le bot)\n"
            "Actifs aujourd'hui : {active}\n"
            "Questions : {questions}, dont {answered} avec réponse ({share})\n"
            "Avis : 👍 {up} · 👎 {down}"
        ),
        "en": (
            "📊 <b>Statistics</b>\n"
            "Users: {users} ({subscribed} subscribed, {blocked} blocked the bot)\n"
            "Active today: {active}\n"
            "Questions: {questions}, {answered} answered ({share})\n"
            "Feedback: 👍 {up} · 👎 {down}"
        ),
        "ar": (
            "📊 <b>إحصائيات</b>\n"
            "المستخدمون: {users} ({subscribed} مشتركا، {blocked} حظروا البوت)\n"
            "النشطون اليوم: {active}\n"
            "الأسئلة: {questions}، منها {answered} بجواب ({share})\n"
            "التقييمات: 👍 {up} · 👎 {down}"
        ),
    },
    "unanswered_title": {
        "fr": "❓ <b>Questions sans réponse les plus fréquentes</b>",
        "en": "❓ <b>Most frequent unanswered questions</b>",
        "ar": "❓ <b>أكثر الأسئلة التي بقيت بلا جواب</b>",
    },
    "unanswered_none": {
        "fr": "Aucune question sans réponse pour l'instant.",
        "en": "No unanswered question so far.",
        "ar": "لا توجد أسئلة بلا جواب حتى الآن.",
    },
    "unanswered_also": {
        "fr": "aussi : {examples}",
        "en": "also: {examples}",
        "ar": "أيضا: {examples}",
    },
    "change_moved": {
        "fr": "🔔 Changement de programme : {title} a lieu désormais {when} (au lieu de {before}).",
        "en": "🔔 Programme change: {title} now takes place {when} (instead of {before}).",
        "ar": "🔔 تغيير في البرنامج: {title} أصبحت {when} (بدلا من {before}).",
    },
    "change_cancelled": {
        "fr": "🔔 Changement de programme : {title} ({when}) est annulée.",
        "en": "🔔 Programme change: {title} ({when}) is cancelled.",
        "ar": "🔔 تغيير في البرنامج: ألغيت {title} ({when}).",
    },
    "change_removed": {
        "fr": "🔔 Changement de programme : {title} ({when}) a été retirée du programme.",
        "en": "🔔 Programme change: {title} ({when}) was removed from the programme.",
        "ar": "🔔 تغيير في البرنامج: سحبت {title} ({when}) من البرنامج.",
    },
    "change_new": {
        "fr": "🆕 Nouveau dans la verticale « {vertical} » : {title}, {when}.",
        "en": "🆕 New in “{vertical}”: {title}, {when}.",
        "ar": "🆕 جديد في محور «{vertical}»: {title}، {when}.",
    },
    "change_new_plain": {
        "fr": "🆕 Nouveau au programme : {title}, {when}.",
        "en": "🆕 New in the programme: {title}, {when}.",
        "ar": "🆕 جديد في البرنامج: {title}، {when}.",
    },
    "follow_choose": {
        "fr": (
            "Choisissez les verticales à suivre (✓ = suivie) : "
            "je vous préviendrai des changements de leurs séances."
        ),
        "en": (
            "Choose the verticals to follow (✓ = followed): "
            "I will tell you about changes to their sessions."
        ),
        "ar": "اختر المحاور التي تريد متابعتها (✓ = متابع): سأخبرك بتغييرات جلساتها.",
    },
    "follow_none": {
        "fr": "Le programme n'a pas encore de verticales.",
        "en": "The programme has no verticals yet.",
        "ar": "لا يتضمن البرنامج محاور بعد.",
    },
    "unfollow_nothing": {
        "fr": "Vous ne suivez aucune verticale. /follow pour en choisir.",
        "en": "You do not follow any vertical. /follow to choose some.",
        "ar": "أنت لا تتابع أي محور. /follow لاختيار محاور.",
    },
    # --- programme answers (issue 8) ---
    "prog_now": {"fr": "En ce moment ({count})", "en": "On now ({count})", "ar": "الآن ({count})"},
    "prog_next": {"fr": "Ensuite ({count})", "en": "Next ({count})", "ar": "التالي ({count})"},
    "prog_count": {
        "fr": "{count} séance(s)",
        "en": "{count} session(s)",
        "ar": "{count} جلسة/جلسات",
    },
    "prog_nothing_now": {
        "fr": "Aucune séance en ce moment.",
        "en": "No session is on right now.",
        "ar": "لا توجد أي جلسة الآن.",
    },
    "prog_nothing": {
        "fr": "Aucune séance ne correspond.",
        "en": "No session matches.",
        "ar": "لا توجد أي جلسة مطابقة.",
    },
    "prog_then": {"fr": "Prochaine séance", "en": "Next session", "ar": "الجلسة الموالية"},
    "prog_before": {
        "fr": "L'événement n'a pas encore commencé : il débute le {date} à {time}.",
        "en": "The event has not started yet: it begins on {date} at {time}.",
        "ar": "لم يبدأ الحدث بعد: يبدأ يوم {date} على الساعة {time}.",
    },
    "prog_after": {
        "fr": "L'événement est terminé (dernier jour : {date}).",
        "en": "The event has ended (last day: {date}).",
        "ar": "انتهى الحدث (آخر يوم: {date}).",
    },
    "prog_no_more": {
        "fr": "Plus aucune séance : c'était la dernière, le programme est terminé.",
        "en": "No more sessions: the programme is over.",
        "ar": "لا توجد جلسات أخرى: انتهى البرنامج.",
    },
    "prog_unknown_room": {
        "fr": "Aucune séance : pas de salle « {room} » dans le programme. Salles : {rooms}.",
        "en": "No session: there is no room \u201c{room}\u201d in the programme. Rooms: {rooms}.",
        "ar": "لا توجد أي جلسة: لا توجد قاعة «{room}» في البرنامج. القاعات: {rooms}.",
    },
    "prog_no_speaker": {
        "fr": "Aucune séance de {name} dans le programme.",
        "en": "No session by {name} in the programme.",
        "ar": "لا توجد أي جلسة لـ {name} في البرنامج.",
    },
    "prog_closest_name": {
        "fr": "Nom le plus proche : {name}.",
        "en": "Closest name: {name}.",
        "ar": "أقرب اسم: {name}.",
    },
    "prog_no_language": {
        "fr": "Aucune séance en {language} dans le programme (langues : {languages}).",
        "en": "No session in {language} in the programme (languages: {languages}).",
        "ar": "لا توجد أي جلسة بـ{language} في البرنامج (اللغات: {languages}).",
    },
    "prog_no_kind": {
        "fr": "Aucune séance de type « {kind} » dans le programme.",
        "en": "No {kind} session in the programme.",
        "ar": "لا توجد أي جلسة من نوع «{kind}» في البرنامج.",
    },
    "prog_no_topic": {
        "fr": "Aucune séance sur « {topic} ».",
        "en": "No session on \u201c{topic}\u201d.",
        "ar": "لا توجد أي جلسة حول «{topic}».",
    },
    "prog_closest": {"fr": "Le plus proche", "en": "Closest match", "ar": "الأقرب"},
    "prog_outside": {
        "fr": "Aucune séance le {date} : le programme va du {first} au {last}.",
        "en": "No session on {date}: the programme runs from {first} to {last}.",
        "ar": "لا توجد أي جلسة يوم {date}: يمتد البرنامج من {first} إلى {last}.",
    },
    "prog_room_days": {
        "fr": "{room} a des séances : {days}.",
        "en": "{room} has sessions on: {days}.",
        "ar": "في {room} جلسات يوم: {days}.",
    },
    "prog_cancelled": {"fr": "annulée", "en": "cancelled", "ar": "ملغاة"},
}


def normalise_language(code: str | None) -> str:
    """Map a Telegram `language_code` (`fr-FR`, `ar`, `de`...) to fr, en or ar."""
    if not code:
        return DEFAULT_LANGUAGE
    base = code.split("-")[0].split("_")[0].lower()
    return base if base in LANGUAGES else "en"


def colon(language: str) -> str:
    """A label's colon: French typography puts a space before it."""
    return " : " if language == "fr" else ": "


def t(key: str, language: str, /, **values: object) -> str:
    """The message `key` in `language` (falling back to English), formatted with `values`."""
    variants = MESSAGES[key]
    template = variants.get(language) or variants["en"]
    return template.format(**values) if values else template

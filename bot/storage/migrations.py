"""Numbered, append-only schema migrations; `PRAGMA user_version` records how many ran.

Never edit a migration that has shipped: add `m00N_...` at the end of MIGRATIONS instead.
"""

from __future__ import annotations

M001_CREATE_TABLES = """
CREATE TABLE users (
    user_id     INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL,
    language    TEXT,               -- chosen with /lang, else Telegram's language_code
    subscribed  INTEGER NOT NULL DEFAULT 0,
    blocked     INTEGER NOT NULL DEFAULT 0,  -- Telegram answered 403: never try again
    first_name  TEXT,
    username    TEXT,
    first_seen  TEXT NOT NULL,      -- ISO 8601, UTC, aware
    last_seen   TEXT NOT NULL
);
CREATE INDEX users_subscribed ON users(subscribed, blocked);

CREATE TABLE saved_sessions (
    user_id     INTEGER NOT NULL REFERENCES users(user_id),
    session_id  TEXT NOT NULL,
    saved_at    TEXT NOT NULL,
    PRIMARY KEY (user_id, session_id)
);

CREATE TABLE reminders (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL,
    chat_id       INTEGER NOT NULL,
    session_id    TEXT NOT NULL,
    session_start TEXT NOT NULL,    -- the start the reminder was computed for
    remind_at     TEXT NOT NULL,
    sent_at       TEXT,             -- set once sent: never twice
    cancelled_at  TEXT,
    UNIQUE (user_id, session_id, session_start)
);
CREATE INDEX reminders_due ON reminders(sent_at, cancelled_at, remind_at);

CREATE TABLE follows (
    user_id     INTEGER NOT NULL,
    vertical_id TEXT NOT NULL,
    PRIMARY KEY (user_id, vertical_id)
);

CREATE TABLE question_log (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER,
    text        TEXT NOT NULL,
    language    TEXT NOT NULL,
    answered    INTEGER NOT NULL,
    top_score   REAL NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX question_log_created ON question_log(created_at);

CREATE TABLE feedback (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    question_id INTEGER REFERENCES question_log(id),
    value       INTEGER NOT NULL CHECK (value IN (-1, 1)),
    created_at  TEXT NOT NULL,
    UNIQUE (user_id, question_id)
);

CREATE TABLE broadcasts (
    id                INTEGER PRIMARY KEY,
    text              TEXT NOT NULL,
    created_by        INTEGER,        -- admin user id, NULL from the command line
    report_chat_id    INTEGER,        -- where progress and the final report go
    audience_language TEXT,           -- NULL: everyone
    audience_vertical TEXT,           -- NULL: everyone
    status            TEXT NOT NULL,  -- draft | queued | sending | done | cancelled
    created_at        TEXT NOT NULL,
    started_at        TEXT,
    finished_at       TEXT
);

CREATE TABLE broadcast_deliveries (
    broadcast_id  INTEGER NOT NULL REFERENCES broadcasts(id),
    chat_id       INTEGER NOT NULL,
    status        TEXT NOT NULL,   -- pending | sending | sent | blocked | failed
    attempts      INTEGER NOT NULL DEFAULT 0,
    lease_until   TEXT,            -- a 'sending' row whose lease expired is retried
    next_try_at   TEXT,
    last_error    TEXT,
    sent_at       TEXT,
    PRIMARY KEY (broadcast_id, chat_id)
);
CREATE INDEX deliveries_todo ON broadcast_deliveries(broadcast_id, status, next_try_at);

-- The programme as last announced, to tell attendees what moved between versions.
CREATE TABLE known_sessions (
    session_id  TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,     -- start|end|room|status
    title       TEXT NOT NULL,
    vertical_id TEXT,
    updated_at  TEXT NOT NULL
);

CREATE TABLE change_notices (
    user_id     INTEGER NOT NULL,
    session_id  TEXT NOT NULL,
    fingerprint TEXT NOT NULL,     -- the version notified about: never twice
    sent_at     TEXT NOT NULL,
    PRIMARY KEY (user_id, session_id, fingerprint)
);
"""

M002_USER_LANGUAGE_CHOICE = """
ALTER TABLE users ADD COLUMN language_chosen INTEGER NOT NULL DEFAULT 0;
"""

M003_BROADCAST_KIND = """
ALTER TABLE broadcasts ADD COLUMN kind TEXT NOT NULL DEFAULT 'announcement';
CREATE INDEX broadcasts_status ON broadcasts(status, id);
"""

M004_ORGANISER_QUESTIONS = """
-- An attendee's question forwarded to the organisers, and the messages that carried it.
CREATE TABLE organiser_questions (
    id           INTEGER PRIMARY KEY,
    question_id  INTEGER REFERENCES question_log(id),
    user_id      INTEGER NOT NULL,
    chat_id      INTEGER NOT NULL,       -- where the organisers' replies go
    text         TEXT NOT NULL,
    language     TEXT NOT NULL,
    asker        TEXT NOT NULL,          -- name, @username and id, as the organisers see it
    asked_at     TEXT NOT NULL,
    forwarded_at TEXT,                   -- NULL: still to forward (after a crash too)
    replies      INTEGER NOT NULL DEFAULT 0,
    replied_at   TEXT,
    UNIQUE (question_id)
);
CREATE INDEX organiser_questions_user ON organiser_questions(user_id, asked_at);

CREATE TABLE organiser_forwards (
    chat_id     INTEGER NOT NULL,        -- an admin's chat or the organisers' group
    message_id  INTEGER NOT NULL,        -- the forwarded message an organiser replies to
    ask_id      INTEGER NOT NULL REFERENCES organiser_questions(id),
    PRIMARY KEY (chat_id, message_id)
);
"""

M005_LIVE_MESSAGES = """
-- The pinned "now and next" message of each live chat, so a restart edits it, not a new one.
CREATE TABLE live_messages (
    chat_id     INTEGER PRIMARY KEY,
    message_id  INTEGER NOT NULL,
    text        TEXT NOT NULL,     -- as last shown: an unchanged text is not edited again
    updated_at  TEXT NOT NULL
);
"""

M006_FAQ_ANSWERS = """
-- A group of unanswered questions an admin may answer from /unanswered, and its questions.
CREATE TABLE faq_drafts (
    id                INTEGER PRIMARY KEY,
    admin_id          INTEGER NOT NULL,
    question          TEXT NOT NULL,     -- the group's wording: the FAQ entry's heading
    language          TEXT NOT NULL,     -- the group's main language: faq.<language>.md
    status            TEXT NOT NULL,     -- offered | waiting | answered | cancelled
    prompt_chat_id    INTEGER,           -- the "send your answer" message an admin may reply to
    prompt_message_id INTEGER,
    answer            TEXT,
    file              TEXT,              -- the knowledge file the answer went into
    created_at        TEXT NOT NULL,
    answered_at       TEXT
);
CREATE INDEX faq_drafts_waiting ON faq_drafts(admin_id, status);

CREATE TABLE faq_draft_questions (
    draft_id    INTEGER NOT NULL REFERENCES faq_drafts(id),
    question_id INTEGER NOT NULL REFERENCES question_log(id),
    PRIMARY KEY (draft_id, question_id)
);
"""

M007_REMINDER_LEAD_AND_RATINGS = """
ALTER TABLE users ADD COLUMN reminder_minutes INTEGER;  -- NULL: the REMINDER_MINUTES setting

CREATE TABLE session_ratings (
    user_id     INTEGER NOT NULL,
    session_id  TEXT NOT NULL,
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER,           -- the offer, so that a reply to it is taken as the comment
    offered_at  TEXT NOT NULL,
    stars       INTEGER CHECK (stars BETWEEN 1 AND 5),  -- NULL until rated
    comment     TEXT,
    rated_at    TEXT,
    PRIMARY KEY (user_id, session_id)
);
CREATE INDEX session_ratings_message ON session_ratings(chat_id, message_id);
"""

M008_REMOVAL_GRACE = """
-- Sessions missing from the programme, since when they were first seen missing: a removal is
-- told (and its reminders cancelled) only once it lasted past the grace; a row goes when the
-- session is back.
CREATE TABLE missing_sessions (
    session_id    TEXT PRIMARY KEY,
    missing_since TEXT NOT NULL
);
-- Why a reminder was cancelled: 'removed' ones come back when their session does.
ALTER TABLE reminders ADD COLUMN cancel_reason TEXT;
"""

MIGRATIONS: list[tuple[str, str]] = [
    ("m001_create_tables", M001_CREATE_TABLES),
    # A language picked with /lang outlives Telegram's language_code on later visits.
    ("m002_user_language_choice", M002_USER_LANGUAGE_CHOICE),
    # Programme change notices ride the broadcast queue, without an admin's progress report.
    ("m003_broadcast_kind", M003_BROADCAST_KIND),
    # Questions the knowledge could not answer, forwarded to the organisers, and their replies.
    ("m004_organiser_questions", M004_ORGANISER_QUESTIONS),
    # The pinned live message's id and text survive restarts.
    ("m005_live_messages", M005_LIVE_MESSAGES),
    # Closing the gap loop: unanswered questions answered by an admin into faq.<lang>.md.
    ("m006_faq_answers", M006_FAQ_ANSWERS),
    # Each attendee's reminder lead time; a rating (1-5, a comment) offered after a session.
    ("m007_reminder_lead_and_ratings", M007_REMINDER_LEAD_AND_RATINGS),
    # A session briefly missing (a save, a sync) is not told removed; its reminders come back.
    ("m008_removal_grace", M008_REMOVAL_GRACE),
]

-- 0008: the outbox: every message, edit and button removal the bot owes someone after a
-- change is a row written in the change's own transaction, sent from here in order per
-- chat and marked sent only after Telegram accepted it; and /forget's scrub, finished at
-- start-up if the process died before the -wal file was cleared.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL,
    method      TEXT    NOT NULL,           -- send, edit, markup
    payload     TEXT,                       -- JSON (text, buttons, message); NULL once settled
    key         TEXT,                       -- names a sent message so later edits find it
    target      TEXT,                       -- an edit's message, by key, when not by id
    message_id  INTEGER,                    -- Telegram's id for a sent message
    priority    INTEGER NOT NULL DEFAULT 0, -- 0 for people's own business, 1 for bulk
    transient   INTEGER NOT NULL DEFAULT 0, -- deleted once sent (to someone just forgotten)
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  TEXT,
    created_at  TEXT    NOT NULL,
    settled_at  TEXT,
    outcome     TEXT                        -- sent, refused, blocked, skipped, gave up
);
CREATE INDEX outbox_unsettled ON outbox(chat_id, id) WHERE settled_at IS NULL;
CREATE INDEX outbox_key ON outbox(key) WHERE key IS NOT NULL;
CREATE INDEX outbox_settled ON outbox(settled_at) WHERE settled_at IS NOT NULL;

CREATE TABLE pending_scrub (
    id           INTEGER PRIMARY KEY,
    requested_at TEXT NOT NULL
);

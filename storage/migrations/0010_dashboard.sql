-- 0010: the web dashboard: one-time sign-in links and browser sessions, kept only as
-- hashes, ended with the person (/forget); and the audit log by target, for a
-- need's history on its page, volunteers by approval for their page, and the people helped.
CREATE TABLE web_links (
    token_hash TEXT    PRIMARY KEY,               -- sha256 of the link's token, never the token
    user_id    INTEGER NOT NULL,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    used_at    TEXT
) WITHOUT ROWID;
CREATE INDEX web_links_user ON web_links(user_id);

CREATE TABLE web_sessions (
    session_hash TEXT    PRIMARY KEY,             -- sha256 of the cookie's value
    user_id      INTEGER NOT NULL,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX web_sessions_user ON web_sessions(user_id);

-- /forget ends that person's sessions and links at once (the row goes, or is left bare);
-- a role taken away is noticed at the session's next request, which says so.
CREATE TRIGGER web_end_with_person AFTER DELETE ON people
BEGIN
    DELETE FROM web_sessions WHERE user_id = OLD.id;
    DELETE FROM web_links WHERE user_id = OLD.id;
END;

CREATE TRIGGER web_end_with_consent AFTER UPDATE OF consent_at ON people
WHEN NEW.consent_at IS NULL
BEGIN
    DELETE FROM web_sessions WHERE user_id = NEW.id;
    DELETE FROM web_links WHERE user_id = NEW.id;
END;

CREATE INDEX audit_log_target ON audit_log(target, id);
-- The volunteers page: those waiting for approval first, oldest first.
CREATE INDEX volunteers_approval ON volunteers(approved, created_at);
-- People helped in a period, and how many times each had been helped (the liaison's
-- "came back"), read from indexes alone.
CREATE INDEX needs_helped ON needs(done_at, resident_id, on_behalf_of) WHERE status = 'done';
CREATE INDEX needs_resident_done ON needs(resident_id, done_at, on_behalf_of) WHERE status = 'done';

-- 0003: coordinators' tools: one-time invite codes for roles, an audit log of coordinator
-- actions, and a note on needs entered by a coordinator on behalf of someone who phoned.
CREATE TABLE invites (
    code       TEXT    PRIMARY KEY,               -- random, URL-safe
    role       TEXT    NOT NULL,
    created_by INTEGER NOT NULL,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    pending_by INTEGER,                           -- opened, waiting for the privacy notice
    used_by    INTEGER,
    used_at    TEXT
) WITHOUT ROWID;
CREATE INDEX invites_pending ON invites(pending_by) WHERE used_at IS NULL;

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    actor_id INTEGER NOT NULL,
    action   TEXT    NOT NULL,
    target   TEXT,
    detail   TEXT,
    at       TEXT    NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);

ALTER TABLE needs ADD COLUMN on_behalf_of TEXT;  -- caller's label when a coordinator entered it

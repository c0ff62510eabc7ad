-- 0002: what timed work needs: concerns raised about a need, how often a need's window
-- was extended, and an index to find a need's proposals by status.
ALTER TABLE needs ADD COLUMN extensions INTEGER NOT NULL DEFAULT 0;

CREATE TABLE concerns (
    id          INTEGER PRIMARY KEY,
    need_id     INTEGER REFERENCES needs(id),
    raised_by   INTEGER NOT NULL REFERENCES people(id),
    text        TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'open',
    created_at  TEXT    NOT NULL,
    resolved_at TEXT,
    resolved_by INTEGER
);
CREATE INDEX concerns_status ON concerns(status, created_at);

CREATE INDEX proposals_need_status ON proposals(need_id, status, wave);

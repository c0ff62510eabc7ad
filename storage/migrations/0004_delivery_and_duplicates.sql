-- 0004: delivery and duplicates: the ids of Telegram updates that changed something (so a
-- redelivered update has one effect; written in the same transaction as the change), and
-- links between a resident's requests that may be the same one, for coordinators.
CREATE TABLE processed_updates (
    update_id INTEGER PRIMARY KEY,
    at        TEXT    NOT NULL
);
CREATE INDEX processed_updates_at ON processed_updates(at);

CREATE TABLE need_links (
    need_id    INTEGER NOT NULL REFERENCES needs(id),  -- the newer request
    related_id INTEGER NOT NULL REFERENCES needs(id),  -- an open one it may duplicate
    created_at TEXT    NOT NULL,
    PRIMARY KEY (need_id, related_id)
) WITHOUT ROWID;
CREATE INDEX need_links_related ON need_links(related_id);

-- Closed needs still holding personal details, oldest closing first: retention's work list.
CREATE INDEX needs_retention ON needs(coalesce(closed_at, done_at, updated_at))
    WHERE status IN ('done', 'cancelled', 'closed')
      AND (description != '' OR doorstep_code IS NOT NULL OR resident_id > -1152921504606846976);

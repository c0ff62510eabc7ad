-- 0011: coordinators in the chat: notes kept with a need (and what coordinators sent its
-- resident), the command menu each chat was last given (so start-up sets only what
-- changed), and timed work found by its need, for a need's history.
CREATE TABLE need_notes (
    id         INTEGER PRIMARY KEY,
    need_id    INTEGER NOT NULL REFERENCES needs(id),
    author_id  INTEGER NOT NULL,
    kind       TEXT    NOT NULL DEFAULT 'note',   -- note | message (sent to the resident)
    text       TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX need_notes_need ON need_notes(need_id, id);
CREATE INDEX need_notes_author ON need_notes(author_id);

CREATE TABLE command_menus (
    chat_id INTEGER PRIMARY KEY,                  -- 0: the menu every private chat starts with
    menu    TEXT    NOT NULL,                     -- which lists, and a digest of their words
    set_at  TEXT    NOT NULL
);

CREATE INDEX scheduled_work_need ON scheduled_work(json_extract(payload, '$.need_id'), kind);

-- 0001: the first schema: people, roles, volunteers, needs, offers, proposals, timed work,
-- and the state of conversations in progress.
CREATE TABLE people (
    id              INTEGER PRIMARY KEY,          -- Telegram user id (private chat id too)
    first_name      TEXT    NOT NULL,
    username        TEXT,
    consent_at      TEXT,
    consent_version INTEGER NOT NULL DEFAULT 0,
    reachable       INTEGER NOT NULL DEFAULT 1,   -- 0 once they have blocked the bot
    blocked         INTEGER NOT NULL DEFAULT 0,   -- blocked by a coordinator
    created_at      TEXT    NOT NULL
);

CREATE TABLE roles (
    user_id    INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    role       TEXT    NOT NULL,
    granted_at TEXT    NOT NULL,
    granted_by INTEGER,
    PRIMARY KEY (user_id, role)
) WITHOUT ROWID;

CREATE TABLE volunteers (
    user_id        INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    availability   TEXT    NOT NULL DEFAULT 'any',
    on_duty        INTEGER NOT NULL DEFAULT 1,
    approved       INTEGER NOT NULL DEFAULT 0,
    vetted         INTEGER NOT NULL DEFAULT 0,
    max_open_tasks INTEGER NOT NULL DEFAULT 3,
    lat            REAL,
    lon            REAL,
    radius_km      REAL,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);

CREATE TABLE volunteer_skills (
    category TEXT    NOT NULL,
    user_id  INTEGER NOT NULL REFERENCES volunteers(user_id) ON DELETE CASCADE,
    PRIMARY KEY (category, user_id)
) WITHOUT ROWID;
CREATE INDEX volunteer_skills_user ON volunteer_skills(user_id);

CREATE TABLE volunteer_areas (
    area    TEXT    NOT NULL,
    user_id INTEGER NOT NULL REFERENCES volunteers(user_id) ON DELETE CASCADE,
    PRIMARY KEY (area, user_id)
) WITHOUT ROWID;
CREATE INDEX volunteer_areas_user ON volunteer_areas(user_id);

CREATE TABLE needs (
    id            INTEGER PRIMARY KEY,
    resident_id   INTEGER NOT NULL REFERENCES people(id),
    category      TEXT    NOT NULL,
    area          TEXT    NOT NULL,
    description   TEXT    NOT NULL,
    wanted        TEXT    NOT NULL,                -- today | tomorrow | week | flexible
    window_start  TEXT    NOT NULL,
    window_end    TEXT    NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'open',
    wave          INTEGER NOT NULL DEFAULT 0,
    volunteer_id  INTEGER REFERENCES people(id),
    doorstep_code TEXT,
    accepted_at   TEXT,
    done_at       TEXT,
    closed_at     TEXT,
    hours         REAL,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
CREATE INDEX needs_status ON needs(status, created_at);
CREATE INDEX needs_resident ON needs(resident_id, status);
CREATE INDEX needs_volunteer ON needs(volunteer_id, status, accepted_at);

CREATE TABLE offers (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES people(id),
    category     TEXT    NOT NULL,
    area         TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    wanted       TEXT    NOT NULL,
    window_start TEXT    NOT NULL,
    window_end   TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'open',
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
CREATE INDEX offers_status ON offers(status, category, area);
CREATE INDEX offers_user ON offers(user_id, status);

CREATE TABLE proposals (
    id           INTEGER PRIMARY KEY,
    need_id      INTEGER NOT NULL REFERENCES needs(id),
    volunteer_id INTEGER NOT NULL REFERENCES people(id),
    wave         INTEGER NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'open',
    chat_id      INTEGER,
    message_id   INTEGER,
    created_at   TEXT    NOT NULL,
    answered_at  TEXT,
    UNIQUE (need_id, volunteer_id)
);
CREATE INDEX proposals_volunteer ON proposals(volunteer_id, status);

CREATE TABLE scheduled_work (
    id         INTEGER PRIMARY KEY,
    due_at     TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    payload    TEXT    NOT NULL DEFAULT '{}',
    done_at    TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT    NOT NULL
);
CREATE INDEX scheduled_work_due ON scheduled_work(due_at, id) WHERE done_at IS NULL;

CREATE TABLE conversations (
    name  TEXT NOT NULL,
    key   TEXT NOT NULL,          -- JSON list: the conversation key
    state TEXT NOT NULL,          -- JSON: the state
    PRIMARY KEY (name, key)
) WITHOUT ROWID;

CREATE TABLE user_data (
    user_id INTEGER PRIMARY KEY,
    data    TEXT NOT NULL         -- JSON: the half-filled form of a flow in progress
);

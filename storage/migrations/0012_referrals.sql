-- 0012: council referrals: a request a council liaison passes to the group, held for a
-- coordinator as a need with the status 'referred'. This row keeps the council's own
-- reference, who referred it and when each step came; the resident's first name, contact
-- note and words stay on the need (on_behalf_of, caller_contact, description), so
-- retention and /forget remove them as they do any phoned-in need's.
CREATE TABLE referrals (
    need_id        INTEGER PRIMARY KEY REFERENCES needs(id),
    liaison_id     INTEGER NOT NULL,              -- a pseudonym once they are forgotten
    council_ref    TEXT    NOT NULL,              -- as the liaison typed it
    referred_at    TEXT    NOT NULL,
    taken_at       TEXT,
    taken_by       INTEGER,                       -- the coordinator, its follow-up contact
    declined_at    TEXT,
    decline_reason TEXT                           -- passed back to the liaison
);
CREATE INDEX referrals_liaison ON referrals(liaison_id, referred_at);
CREATE INDEX referrals_referred ON referrals(referred_at);

-- 0009: resident and volunteer reach each other through the bot: each relayed text is kept
-- (personal data: in the sender's /mydata, gone with /forget and the need's retention), and
-- a phoned-in need carries the caller's contact note for the volunteer who accepts.
CREATE TABLE relay_messages (
    id           INTEGER PRIMARY KEY,
    need_id      INTEGER NOT NULL REFERENCES needs(id),
    sender_id    INTEGER NOT NULL,
    recipient_id INTEGER NOT NULL,
    text         TEXT    NOT NULL,
    created_at   TEXT    NOT NULL
);
CREATE INDEX relay_messages_need ON relay_messages(need_id, id);
CREATE INDEX relay_messages_sender ON relay_messages(sender_id);
CREATE INDEX relay_messages_recipient ON relay_messages(recipient_id);

ALTER TABLE needs ADD COLUMN caller_contact TEXT;

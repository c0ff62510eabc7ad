-- 0014: the languages people read and speak.
-- A person's language: from their Telegram app when they agreed to the privacy notice, or
-- chosen with /language (NULL: not known; the community's first language is used).
ALTER TABLE people ADD COLUMN language TEXT;
-- The languages a volunteer speaks, as codes separated by commas (",en,uk,"): the
-- volunteers who signed up before the bot spoke other languages did so in English.
ALTER TABLE volunteers ADD COLUMN languages TEXT NOT NULL DEFAULT ',en,';
-- The resident's language when the need was posted: matching asks, within each distance
-- tier, the volunteers who speak it first.
ALTER TABLE needs ADD COLUMN language TEXT;

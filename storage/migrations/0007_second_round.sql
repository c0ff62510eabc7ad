-- 0007: when everyone who could be asked has been, those who let a wave pass in silence
-- are asked once more before coordinators are alerted; `rounds` says whether that happened.
ALTER TABLE needs ADD COLUMN rounds INTEGER NOT NULL DEFAULT 1;

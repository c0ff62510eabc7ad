-- 0005: matching at city scale. One row per volunteer, area and skill, kept by triggers, so
-- the volunteers for a need's area and category are one index range; and volunteers with a
-- radius found without reading every volunteer.
CREATE TABLE volunteer_cells (
    area     TEXT    NOT NULL,
    category TEXT    NOT NULL,
    user_id  INTEGER NOT NULL REFERENCES volunteers(user_id) ON DELETE CASCADE,
    PRIMARY KEY (area, category, user_id)
) WITHOUT ROWID;
CREATE INDEX volunteer_cells_user ON volunteer_cells(user_id);

INSERT INTO volunteer_cells (area, category, user_id)
    SELECT a.area, s.category, a.user_id
    FROM volunteer_areas a JOIN volunteer_skills s ON s.user_id = a.user_id;

CREATE TRIGGER volunteer_cells_skill_added AFTER INSERT ON volunteer_skills BEGIN
    INSERT OR IGNORE INTO volunteer_cells (area, category, user_id)
        SELECT a.area, NEW.category, NEW.user_id FROM volunteer_areas a
        WHERE a.user_id = NEW.user_id;
END;

CREATE TRIGGER volunteer_cells_area_added AFTER INSERT ON volunteer_areas BEGIN
    INSERT OR IGNORE INTO volunteer_cells (area, category, user_id)
        SELECT NEW.area, s.category, NEW.user_id FROM volunteer_skills s
        WHERE s.user_id = NEW.user_id;
END;

CREATE TRIGGER volunteer_cells_skill_removed AFTER DELETE ON volunteer_skills BEGIN
    DELETE FROM volunteer_cells WHERE user_id = OLD.user_id AND category = OLD.category;
END;

CREATE TRIGGER volunteer_cells_area_removed AFTER DELETE ON volunteer_areas BEGIN
    DELETE FROM volunteer_cells WHERE user_id = OLD.user_id AND area = OLD.area;
END;

CREATE INDEX volunteers_with_radius ON volunteers(user_id) WHERE radius_km IS NOT NULL;

-- 0013: a year's report read cell by cell. The liaison's figures count needs per area and
-- category; these indexes keep each cell's needs in time order, so a period's figures for
-- one cell are a short index range, and a year's needs are never sorted to group them
-- (storage/reports.py). The hours from posting to a match are kept in the index in whole
-- ten-thousandths of an hour (the figure's own rounding), worked out once when written.
CREATE INDEX needs_cell_created ON needs(area, category, created_at);
CREATE INDEX needs_cell_accepted ON needs(
    area, category, accepted_at,
    CAST(round(round((julianday(accepted_at) - julianday(created_at)) * 24, 4) * 10000)
         AS INTEGER),
    volunteer_id, created_at, closed_at
) WHERE accepted_at IS NOT NULL;
CREATE INDEX needs_cell_done ON needs(area, category, done_at, hours, accepted_at, volunteer_id)
    WHERE status = 'done';
CREATE INDEX needs_cell_closed ON needs(area, category, closed_at, status, accepted_at, created_at)
    WHERE closed_at IS NOT NULL;
-- Needs open now that were never accepted or closed: still open at any moment after posting.
CREATE INDEX needs_cell_open ON needs(area, category, created_at, accepted_at, closed_at)
    WHERE status = 'open';

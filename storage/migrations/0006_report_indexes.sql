-- 0006: reports at scale: the digest and the liaison's figures count needs by when they were
-- posted, matched, done and closed; each index covers what its count reads.
CREATE INDEX needs_created ON needs(created_at, area, category);
CREATE INDEX needs_accepted ON needs(accepted_at, area, category, created_at, volunteer_id)
    WHERE accepted_at IS NOT NULL;
CREATE INDEX needs_done ON needs(done_at, status, area, category, hours, volunteer_id)
    WHERE done_at IS NOT NULL;
CREATE INDEX needs_closed ON needs(closed_at, status, area, category)
    WHERE closed_at IS NOT NULL;

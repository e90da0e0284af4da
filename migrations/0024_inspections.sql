-- On-site inspection (现场考核, 温州 第六条（四）): the bureau schedules a visit of the park with
-- members of the call's panel, records what they found on each item of the rule set's
-- checklist with photos and who attended, and the members confirm the record, which freezes it.

-- Which forms the review takes: the written review alone (the online sheets), or the written
-- review and an on-site inspection (an application is 已评审 only when both are complete).
ALTER TABLE calls ADD COLUMN review_forms TEXT NOT NULL DEFAULT 'written'
    CHECK (review_forms IN ('written', 'both'));

CREATE TABLE inspections (
    id             BIGSERIAL PRIMARY KEY,
    tenant_id      BIGINT NOT NULL REFERENCES tenants(id),
    application_id BIGINT NOT NULL,
    -- When the visit is planned (the bureau schedules the future; the record is the past).
    scheduled_at   TIMESTAMPTZ NOT NULL,
    address        TEXT NOT NULL CHECK (length(address) BETWEEN 1 AND 200),
    lead_user_id   BIGINT NOT NULL,
    county_contact TEXT NOT NULL DEFAULT '' CHECK (length(county_contact) <= 100),
    state          TEXT NOT NULL DEFAULT 'scheduled'
        CHECK (state IN ('scheduled', 'confirming', 'confirmed')),
    -- The working record: check id → {finding, note}; others present (names and roles).
    findings       JSONB NOT NULL DEFAULT '{}',
    others_present TEXT NOT NULL DEFAULT '' CHECK (length(others_present) <= 500),
    -- The record version the members confirm (0: none submitted yet).
    version_count  INT NOT NULL DEFAULT 0,
    lock_version   INT NOT NULL DEFAULT 0,
    created_by     BIGINT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id),
    FOREIGN KEY (tenant_id, lead_user_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX inspections_application ON inspections (tenant_id, application_id);

-- The panel members on the visit: whether they were there, and their confirmation of the
-- record's version.
CREATE TABLE inspection_members (
    tenant_id      BIGINT NOT NULL REFERENCES tenants(id),
    inspection_id  BIGINT NOT NULL,
    expert_id      BIGINT NOT NULL,
    present        BOOLEAN NOT NULL DEFAULT TRUE,
    confirmed_version INT,
    confirmed_at   TIMESTAMPTZ,
    PRIMARY KEY (tenant_id, inspection_id, expert_id),
    FOREIGN KEY (tenant_id, inspection_id) REFERENCES inspections (tenant_id, id),
    FOREIGN KEY (tenant_id, expert_id) REFERENCES experts (tenant_id, id)
);

-- A photo taken on site, for one item of the checklist (or the visit as a whole).
ALTER TABLE documents ADD COLUMN inspection_id BIGINT;
ALTER TABLE documents ADD FOREIGN KEY (tenant_id, inspection_id) REFERENCES inspections (tenant_id, id);
ALTER TABLE documents DROP CONSTRAINT documents_one_owner;
ALTER TABLE documents ADD CONSTRAINT documents_one_owner
    CHECK (num_nonnulls(application_id, call_id, objection_id, award_id, batch_id, assignment_id,
                        inspection_id) = 1);
ALTER TABLE documents DROP CONSTRAINT documents_category_check;
ALTER TABLE documents ADD CONSTRAINT documents_category_check CHECK (category IN
    ('uscc_certificate', 'report', 'evidence', 'recommendation_letter', 'call_notice',
     'objection_evidence', 'rectification_evidence', 'revocation_evidence', 'work_report',
     'batch_letter', 'paper_sheet', 'inspection_photo'));
CREATE TABLE inspection_photos (
    tenant_id     BIGINT NOT NULL REFERENCES tenants(id),
    document_id   BIGINT NOT NULL,
    inspection_id BIGINT NOT NULL,
    -- The checklist item it shows (empty: the visit as a whole).
    item          TEXT NOT NULL DEFAULT '',
    caption       TEXT NOT NULL DEFAULT '' CHECK (length(caption) <= 100),
    -- When the camera says it was taken (EXIF DateTimeOriginal), if the file carries it.
    taken_at      TIMESTAMP,
    PRIMARY KEY (tenant_id, document_id),
    FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id),
    FOREIGN KEY (tenant_id, inspection_id) REFERENCES inspections (tenant_id, id)
);

-- Each submitted record, frozen: what the members confirm and what is printed.
CREATE TABLE inspection_versions (
    tenant_id     BIGINT NOT NULL REFERENCES tenants(id),
    inspection_id BIGINT NOT NULL,
    number        INT NOT NULL CHECK (number >= 1),
    record        JSONB NOT NULL,
    submitted_by  BIGINT NOT NULL,
    submitted_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, inspection_id, number),
    FOREIGN KEY (tenant_id, inspection_id) REFERENCES inspections (tenant_id, id),
    FOREIGN KEY (tenant_id, submitted_by) REFERENCES users (tenant_id, id)
);
CREATE TRIGGER inspection_versions_immutable
    BEFORE UPDATE OR DELETE ON inspection_versions
    FOR EACH ROW EXECUTE FUNCTION reject_change();

DO $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['inspections', 'inspection_members', 'inspection_photos',
                             'inspection_versions'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING (parkcert_visible(tenant_id))
             WITH CHECK (parkcert_visible(tenant_id))', t);
    END LOOP;
END
$$;

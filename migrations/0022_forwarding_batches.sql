-- Zhongshan 第八条（二）: the towns check each application, add their opinion and then forward
-- them to the bureau together ("统一报送"), with one cover letter and the order in which they
-- recommend them.

-- A town's opinion on one submitted version, recorded before it is forwarded. Kept as a
-- history: recording again adds a row and the latest one for the version is the one forwarded.
CREATE TABLE county_prereviews (
    id             BIGSERIAL PRIMARY KEY,
    tenant_id      BIGINT NOT NULL REFERENCES tenants(id),
    application_id BIGINT NOT NULL,
    version_number INT NOT NULL,
    opinion        TEXT NOT NULL CHECK (opinion IN ('recommend', 'not_recommend')),
    comments       TEXT NOT NULL DEFAULT '',
    attestations   JSONB NOT NULL DEFAULT '{}',
    recorded_by    BIGINT NOT NULL,
    recorded_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, application_id, version_number)
        REFERENCES application_versions (tenant_id, application_id, number),
    FOREIGN KEY (tenant_id, recorded_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX county_prereviews_application ON county_prereviews (tenant_id, application_id);
CREATE TRIGGER county_prereviews_immutable
    BEFORE UPDATE OR DELETE ON county_prereviews
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- One forwarding: a county's applications to one call, sent together under one cover letter.
CREATE TABLE forwarding_batches (
    id              BIGSERIAL PRIMARY KEY,
    tenant_id       BIGINT NOT NULL REFERENCES tenants(id),
    call_id         BIGINT NOT NULL,
    jurisdiction_id BIGINT NOT NULL,
    -- 第1批, 第2批 … of this county for this call.
    number          INT NOT NULL CHECK (number >= 1),
    forwarded_by    BIGINT NOT NULL,
    forwarded_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, call_id, jurisdiction_id, number),
    FOREIGN KEY (tenant_id, call_id) REFERENCES calls (tenant_id, id),
    FOREIGN KEY (tenant_id, jurisdiction_id) REFERENCES jurisdictions (tenant_id, id),
    FOREIGN KEY (tenant_id, forwarded_by) REFERENCES users (tenant_id, id)
);
CREATE TRIGGER forwarding_batches_immutable
    BEFORE UPDATE OR DELETE ON forwarding_batches
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- Each application in a batch, with the county's opinion as forwarded and its place in the
-- recommendation order (only recommended applications have one).
CREATE TABLE forwarding_batch_items (
    id             BIGSERIAL PRIMARY KEY,
    tenant_id      BIGINT NOT NULL REFERENCES tenants(id),
    batch_id       BIGINT NOT NULL,
    application_id BIGINT NOT NULL,
    version_number INT NOT NULL,
    opinion        TEXT NOT NULL CHECK (opinion IN ('recommend', 'not_recommend')),
    rank           INT CHECK (rank >= 1),
    CHECK ((opinion = 'recommend') = (rank IS NOT NULL)),
    UNIQUE (tenant_id, batch_id, application_id),
    UNIQUE (tenant_id, batch_id, rank),
    UNIQUE (tenant_id, application_id, version_number),
    FOREIGN KEY (tenant_id, batch_id) REFERENCES forwarding_batches (tenant_id, id),
    FOREIGN KEY (tenant_id, application_id, version_number)
        REFERENCES application_versions (tenant_id, application_id, number)
);
CREATE TRIGGER forwarding_batch_items_immutable
    BEFORE UPDATE OR DELETE ON forwarding_batch_items
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- The cover letter (推荐函) belongs to the batch: the bureau and the county read it, the
-- operators (whose parks it ranks against each other) do not.
ALTER TABLE documents ADD COLUMN batch_id BIGINT;
ALTER TABLE documents ADD FOREIGN KEY (tenant_id, batch_id) REFERENCES forwarding_batches (tenant_id, id);
ALTER TABLE documents DROP CONSTRAINT documents_one_owner;
ALTER TABLE documents ADD CONSTRAINT documents_one_owner
    CHECK (num_nonnulls(application_id, call_id, objection_id, award_id, batch_id) = 1);
ALTER TABLE documents DROP CONSTRAINT documents_category_check;
ALTER TABLE documents ADD CONSTRAINT documents_category_check CHECK (category IN
    ('uscc_certificate', 'report', 'evidence', 'recommendation_letter', 'call_notice',
     'objection_evidence', 'rectification_evidence', 'revocation_evidence', 'work_report',
     'batch_letter'));

DO $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['county_prereviews', 'forwarding_batches', 'forwarding_batch_items'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING (parkcert_visible(tenant_id))
             WITH CHECK (parkcert_visible(tenant_id))', t);
    END LOOP;
END
$$;

-- A third-party review institution (第三方机构, 中山 第八条（三）"市商务局可委托第三方机构开展评审
-- 工作"): an organisation with a USCC and its staff accounts, commissioned to review
-- applications instead of, or beside, an expert panel.
CREATE TABLE review_institutions (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 2 AND 100),
    uscc        TEXT NOT NULL CHECK (uscc ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
    contact     TEXT NOT NULL DEFAULT '' CHECK (length(contact) <= 100),
    created_by  BIGINT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    CONSTRAINT review_institutions_uscc_key UNIQUE (tenant_id, uscc),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);

-- Its staff sign in as experts of the tenant, tied to the institution.
ALTER TABLE users ADD COLUMN institution_id BIGINT;
ALTER TABLE users ADD FOREIGN KEY (tenant_id, institution_id) REFERENCES review_institutions (tenant_id, id);

-- One application commissioned to one institution, and the institution's opinion on it.
CREATE TABLE institution_reviews (
    id             BIGSERIAL PRIMARY KEY,
    tenant_id      BIGINT NOT NULL REFERENCES tenants(id),
    institution_id BIGINT NOT NULL,
    application_id BIGINT NOT NULL,
    state          TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'submitted')),
    opinion        TEXT CHECK (opinion IN ('pass', 'fail')),
    summary        TEXT NOT NULL DEFAULT '',
    report_document_id BIGINT,
    assigned_by    BIGINT NOT NULL,
    assigned_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    submitted_by   BIGINT,
    submitted_at   TIMESTAMPTZ,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, institution_id, application_id),
    FOREIGN KEY (tenant_id, institution_id) REFERENCES review_institutions (tenant_id, id),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id),
    FOREIGN KEY (tenant_id, assigned_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, submitted_by) REFERENCES users (tenant_id, id)
);

-- The institution's report belongs to its review: the bureau and the institution read it.
ALTER TABLE documents ADD COLUMN institution_review_id BIGINT;
ALTER TABLE documents ADD FOREIGN KEY (tenant_id, institution_review_id) REFERENCES institution_reviews (tenant_id, id);
ALTER TABLE documents DROP CONSTRAINT documents_one_owner;
ALTER TABLE documents ADD CONSTRAINT documents_one_owner
    CHECK (num_nonnulls(application_id, call_id, objection_id, award_id, batch_id, assignment_id,
                        inspection_id, institution_review_id) = 1);
ALTER TABLE documents DROP CONSTRAINT documents_category_check;
ALTER TABLE documents ADD CONSTRAINT documents_category_check CHECK (category IN
    ('uscc_certificate', 'report', 'evidence', 'recommendation_letter', 'call_notice',
     'objection_evidence', 'rectification_evidence', 'revocation_evidence', 'work_report',
     'batch_letter', 'paper_sheet', 'inspection_photo', 'institution_report'));
ALTER TABLE institution_reviews ADD FOREIGN KEY (tenant_id, report_document_id) REFERENCES documents (tenant_id, id);

DO $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['review_institutions', 'institution_reviews'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING (parkcert_visible(tenant_id))
             WITH CHECK (parkcert_visible(tenant_id))', t);
    END LOOP;
END
$$;

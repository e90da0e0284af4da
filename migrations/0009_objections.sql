-- Objections (异议) filed by anyone during a publicity window against a listed park, handled by
-- the bureau as cases: filed → investigating → upheld | dismissed (DOMAIN.md §3).
CREATE TABLE objections (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    notice_id   BIGINT NOT NULL,
    application_id BIGINT NOT NULL,
    -- What the filer quotes to follow the case; unguessable, unique.
    case_no     TEXT NOT NULL UNIQUE CHECK (case_no ~ '^[A-Z0-9]{12}$'),
    filer_name  TEXT NOT NULL CHECK (length(filer_name) BETWEEN 2 AND 40),
    filer_contact TEXT NOT NULL,
    grounds     TEXT NOT NULL CHECK (length(grounds) BETWEEN 10 AND 5000),
    state       TEXT NOT NULL DEFAULT 'filed'
                CHECK (state IN ('filed', 'investigating', 'upheld', 'dismissed')),
    investigator_id BIGINT,
    investigation TEXT NOT NULL DEFAULT '',
    decision_reason TEXT NOT NULL DEFAULT '',
    filed_at    TIMESTAMPTZ NOT NULL,
    filer_ip    TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, notice_id) REFERENCES publicity_notices (tenant_id, id),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id),
    FOREIGN KEY (tenant_id, investigator_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX objections_application ON objections (tenant_id, application_id, state);
CREATE INDEX objections_ip ON objections (filer_ip, filed_at);

-- Evidence files belong to an objection; the filer is not a user.
ALTER TABLE documents ADD COLUMN objection_id BIGINT;
ALTER TABLE documents ADD FOREIGN KEY (tenant_id, objection_id) REFERENCES objections (tenant_id, id);
ALTER TABLE documents DROP CONSTRAINT documents_check;
ALTER TABLE documents ADD CONSTRAINT documents_one_owner
    CHECK (num_nonnulls(application_id, call_id, objection_id) = 1);
ALTER TABLE documents ALTER COLUMN uploaded_by DROP NOT NULL;
ALTER TABLE documents DROP CONSTRAINT documents_category_check;
ALTER TABLE documents ADD CONSTRAINT documents_category_check CHECK (category IN
    ('uscc_certificate', 'report', 'evidence', 'recommendation_letter', 'call_notice',
     'objection_evidence'));

-- Applications (申报): the operator's working draft, the immutable versions it submits, the
-- uploaded documents and the county's pre-review opinions (初审/推荐).

-- Uploaded files. The bytes live outside the database (content-addressed by SHA-256 under the
-- data directory); a row is never deleted, so a frozen version can always name its files.
CREATE TABLE documents (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    -- What the file is for; the owner is the application (operator and county uploads) or the
    -- call (the official notice).
    category    TEXT NOT NULL CHECK (category IN
                  ('uscc_certificate', 'report', 'evidence', 'recommendation_letter', 'call_notice')),
    application_id BIGINT,
    call_id     BIGINT,
    filename    TEXT NOT NULL CHECK (length(filename) BETWEEN 1 AND 200),
    -- Detected from the content, never from the name.
    kind        TEXT NOT NULL CHECK (kind IN ('pdf', 'jpeg', 'png', 'xlsx', 'docx')),
    size_bytes  BIGINT NOT NULL CHECK (size_bytes > 0),
    sha256      TEXT NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    uploaded_by BIGINT NOT NULL,
    uploaded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Removed from the draft it was attached to (a frozen version still names it).
    detached_at TIMESTAMPTZ,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, uploaded_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, call_id) REFERENCES calls (tenant_id, id),
    CHECK ((application_id IS NULL) <> (call_id IS NULL))
);

CREATE TABLE applications (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    call_id     BIGINT NOT NULL,
    organization_id BIGINT NOT NULL,
    -- The park's county: the jurisdiction whose office pre-reviews the application.
    jurisdiction_id BIGINT,
    park_name   TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL DEFAULT 'draft' CHECK (state IN
                  ('draft', 'submitted', 'forwarded', 'in_review', 'reviewed', 'shortlisted',
                   'in_publicity', 'publicity_closed', 'awarded', 'not_awarded', 'rejected',
                   'disqualified', 'rectification', 'delisted', 'revoked', 'expired')),
    -- The working draft, exactly as typed (field key → text); parsed on every read.
    form        JSONB NOT NULL DEFAULT '{}',
    -- The working roster (附件3): validated rows.
    roster      JSONB NOT NULL DEFAULT '[]',
    -- Optimistic locking: every save of the form names the lock_version it started from; the
    -- roster has its own, so an import in one tab does not void the form typed in another.
    lock_version INT NOT NULL DEFAULT 0,
    roster_lock_version INT NOT NULL DEFAULT 0,
    -- Number of the latest submitted version (0: never submitted).
    version_count INT NOT NULL DEFAULT 0,
    created_by  BIGINT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, call_id) REFERENCES calls (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id),
    FOREIGN KEY (tenant_id, jurisdiction_id) REFERENCES jurisdictions (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX applications_call ON applications (tenant_id, call_id, state);
CREATE INDEX applications_county ON applications (tenant_id, jurisdiction_id, state);
CREATE INDEX applications_org ON applications (tenant_id, organization_id);

ALTER TABLE documents
    ADD FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id);
CREATE INDEX documents_application ON documents (tenant_id, application_id);

-- A submission, frozen: the form, the roster, the documents (with their hashes) and the engine's
-- evaluation at the moment of submission. Never updated, never deleted.
CREATE TABLE application_versions (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    application_id BIGINT NOT NULL,
    number      INT NOT NULL CHECK (number >= 1),
    park_name   TEXT NOT NULL,
    jurisdiction_id BIGINT NOT NULL,
    form        JSONB NOT NULL,
    roster      JSONB NOT NULL,
    documents   JSONB NOT NULL,
    evaluation  JSONB NOT NULL,
    -- The token of the submit form: a resubmitted POST finds its version instead of adding one.
    submit_token UUID NOT NULL UNIQUE,
    submitted_by BIGINT NOT NULL,
    submitted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, application_id, number),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id),
    FOREIGN KEY (tenant_id, jurisdiction_id) REFERENCES jurisdictions (tenant_id, id),
    FOREIGN KEY (tenant_id, submitted_by) REFERENCES users (tenant_id, id)
);
CREATE TRIGGER application_versions_immutable
    BEFORE UPDATE OR DELETE ON application_versions
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- Pre-review opinions and the bureau's formal check, one row per decision on a version.
CREATE TABLE application_reviews (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    application_id BIGINT NOT NULL,
    version_number INT NOT NULL,
    stage       TEXT NOT NULL CHECK (stage IN ('county', 'bureau')),
    opinion     TEXT NOT NULL CHECK (opinion IN
                  ('recommend', 'not_recommend', 'return', 'accept', 'reject')),
    comments    TEXT NOT NULL DEFAULT '',
    -- The manual checks the county attests (check id → true/false).
    attestations JSONB NOT NULL DEFAULT '{}',
    letter_document_id BIGINT,
    decided_by  BIGINT NOT NULL,
    decided_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id),
    FOREIGN KEY (tenant_id, application_id, version_number)
        REFERENCES application_versions (tenant_id, application_id, number),
    FOREIGN KEY (tenant_id, letter_document_id) REFERENCES documents (tenant_id, id),
    FOREIGN KEY (tenant_id, decided_by) REFERENCES users (tenant_id, id)
);
CREATE TRIGGER application_reviews_immutable
    BEFORE UPDATE OR DELETE ON application_reviews
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE INDEX application_reviews_application ON application_reviews (tenant_id, application_id);

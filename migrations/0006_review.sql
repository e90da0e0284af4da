-- Expert review (评审): the tenant's expert pool, panels drawn from it by an auditable lottery,
-- each expert's assignment to the applications of the panel (conflict declaration, scores or
-- opinion), and the bureau's frozen decision.

CREATE TABLE experts (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 2 AND 20),
    employer    TEXT NOT NULL CHECK (length(employer) BETWEEN 2 AND 100),
    employer_uscc TEXT CHECK (employer_uscc ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'),
    specialties TEXT[] NOT NULL DEFAULT '{}',
    home_jurisdiction_id BIGINT,
    mobile      TEXT NOT NULL CHECK (mobile ~ '^1[3-9][0-9]{9}$'),
    email       TEXT,
    title       TEXT,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    -- The sign-in account (role expert) an expert scores with; opened when first needed.
    user_id     BIGINT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, mobile),
    UNIQUE (tenant_id, user_id),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, home_jurisdiction_id) REFERENCES jurisdictions (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);

-- A panel: the draw's full input (pool snapshot, rules, seed, applications) and result are kept
-- as drawn, so anyone can re-run the lottery and get the same panel.
CREATE TABLE panels (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    call_id     BIGINT NOT NULL,
    name        TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
    seed        TEXT NOT NULL,
    draw_input  JSONB NOT NULL,
    draw_result JSONB NOT NULL,
    created_by  BIGINT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    closed_at   TIMESTAMPTZ,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, call_id) REFERENCES calls (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);

CREATE TABLE panel_members (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    panel_id    BIGINT NOT NULL,
    expert_id   BIGINT NOT NULL,
    seat        INT NOT NULL,
    -- A declined member stays on record with the reason and who replaced them.
    declined_reason TEXT,
    declined_at TIMESTAMPTZ,
    UNIQUE (tenant_id, panel_id, expert_id),
    FOREIGN KEY (tenant_id, panel_id) REFERENCES panels (tenant_id, id),
    FOREIGN KEY (tenant_id, expert_id) REFERENCES experts (tenant_id, id)
);

CREATE TABLE panel_applications (
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    panel_id    BIGINT NOT NULL,
    application_id BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, panel_id, application_id),
    FOREIGN KEY (tenant_id, panel_id) REFERENCES panels (tenant_id, id),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id)
);

-- One expert's work on one application of a panel.
CREATE TABLE assignments (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    panel_id    BIGINT NOT NULL,
    expert_id   BIGINT NOT NULL,
    application_id BIGINT NOT NULL,
    -- undeclared: the expert has not yet said; none: no conflict; declared: 回避.
    conflict    TEXT NOT NULL DEFAULT 'undeclared' CHECK (conflict IN ('undeclared', 'none', 'declared')),
    conflict_reason TEXT NOT NULL DEFAULT '',
    -- Criterion id → score as typed ("12.5") and → comment.
    scores      JSONB NOT NULL DEFAULT '{}',
    comments    JSONB NOT NULL DEFAULT '{}',
    -- Zhongshan's pass / fail opinion.
    opinion     TEXT CHECK (opinion IN ('pass', 'fail')),
    summary     TEXT NOT NULL DEFAULT '',
    -- Required when the expert's total is an outlier (DOMAIN.md §5.4).
    outlier_reason TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'submitted', 'withdrawn')),
    submitted_at TIMESTAMPTZ,
    lock_version INT NOT NULL DEFAULT 0,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, panel_id, expert_id, application_id),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, panel_id) REFERENCES panels (tenant_id, id),
    FOREIGN KEY (tenant_id, expert_id) REFERENCES experts (tenant_id, id),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id)
);
CREATE INDEX assignments_application ON assignments (tenant_id, application_id);

-- The bureau's decision after review freezes the aggregated scores it was based on.
ALTER TABLE application_reviews DROP CONSTRAINT application_reviews_stage_check;
ALTER TABLE application_reviews ADD CONSTRAINT application_reviews_stage_check
    CHECK (stage IN ('county', 'bureau', 'decision'));
ALTER TABLE application_reviews DROP CONSTRAINT application_reviews_opinion_check;
ALTER TABLE application_reviews ADD CONSTRAINT application_reviews_opinion_check
    CHECK (opinion IN ('recommend', 'not_recommend', 'return', 'accept', 'reject', 'shortlist'));
ALTER TABLE application_reviews ADD COLUMN results JSONB;

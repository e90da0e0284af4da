-- Calls for applications (申报通知). A call freezes the rule-set version it was published with.
CREATE TABLE calls (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    title       TEXT NOT NULL CHECK (length(title) BETWEEN 4 AND 120),
    year        INT NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    rule_set_version_id BIGINT NOT NULL,
    opens_at    TIMESTAMPTZ NOT NULL,
    deadline    TIMESTAMPTZ NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL DEFAULT 'draft'
                CHECK (state IN ('draft', 'open', 'closed', 'reviewing', 'publicity', 'concluded')),
    published_at TIMESTAMPTZ,
    -- Optimistic locking: an edit names the version it started from.
    lock_version INT NOT NULL DEFAULT 0,
    created_by  BIGINT REFERENCES users(id),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (deadline > opens_at),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, rule_set_version_id) REFERENCES rule_set_versions (tenant_id, id)
);
CREATE INDEX calls_tenant_state ON calls (tenant_id, state, deadline);

-- The rule-set editor. A draft is mutable until it is activated; activating stores it as the
-- tenant's next immutable version (rule_set_versions), which calls published afterwards use.
-- A draft is never deleted: a discarded one stays, with its history in the audit trail.
CREATE TABLE rule_set_drafts (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    rule_set_id TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        JSONB NOT NULL,
    -- The version it was made from (NULL when it came from a template or an imported document).
    parent_version_id BIGINT,
    -- In words of rule_set_versions.based_on: the template (wenzhou-2021@1), `version:<id>` or
    -- `import`.
    based_on    TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'activated', 'discarded')),
    activated_version_id BIGINT,
    created_by  BIGINT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, parent_version_id) REFERENCES rule_set_versions (tenant_id, id),
    FOREIGN KEY (tenant_id, activated_version_id) REFERENCES rule_set_versions (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);

-- A version made from another keeps which one, so that its page shows the difference.
ALTER TABLE rule_set_versions ADD COLUMN parent_version_id BIGINT;
ALTER TABLE rule_set_versions
    ADD FOREIGN KEY (tenant_id, parent_version_id) REFERENCES rule_set_versions (tenant_id, id);

ALTER TABLE rule_set_drafts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rule_set_drafts USING (parkcert_visible(tenant_id))
    WITH CHECK (parkcert_visible(tenant_id));

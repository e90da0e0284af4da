-- A tenant's rule sets: immutable versions of a built-in template (possibly edited). A call
-- records the version it was published with, so a later change never alters past results.
CREATE TABLE rule_set_versions (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    rule_set_id TEXT NOT NULL CHECK (rule_set_id ~ '^[a-z0-9-]{3,60}$'),
    version     INT NOT NULL CHECK (version >= 1),
    title       TEXT NOT NULL,
    body        JSONB NOT NULL,
    -- The template this version was copied from, e.g. wenzhou-2021@1.
    based_on    TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_by  BIGINT REFERENCES users(id),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, rule_set_id, version),
    UNIQUE (tenant_id, id)
);

CREATE FUNCTION reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are immutable: add a new version instead', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;

CREATE TRIGGER rule_set_versions_immutable
    BEFORE UPDATE OR DELETE ON rule_set_versions
    FOR EACH ROW EXECUTE FUNCTION reject_change();

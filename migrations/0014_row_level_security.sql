-- Tenant isolation enforced by the database. The server's queries run as parkcert_app, a role
-- that owns nothing and is no superuser, so row-level security applies to it: on every table
-- with a tenant_id, it sees and writes only the rows of the tenant its transaction is scoped to
-- (the setting parkcert.tenant, set by the server from the request's tenant), all of them for
-- the system's own work ('system'), and none when unscoped. Migrations run as the owner.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'parkcert_app') THEN
        CREATE ROLE parkcert_app NOLOGIN;
    END IF;
    -- The owner (the migrating user) switches to it with SET ROLE.
    EXECUTE format('GRANT parkcert_app TO %I', current_user);
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'grant parkcert_app to the server''s login role by hand';
END
$$;

GRANT USAGE ON SCHEMA public TO parkcert_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO parkcert_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO parkcert_app;
REVOKE ALL ON _sqlx_migrations FROM parkcert_app;
-- The audit trail is append-only for the application, whatever its triggers.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM parkcert_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO parkcert_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO parkcert_app;

CREATE FUNCTION parkcert_visible(row_tenant BIGINT) RETURNS BOOLEAN
LANGUAGE sql STABLE AS $$
    SELECT CASE coalesce(current_setting('parkcert.tenant', true), '')
        WHEN 'system' THEN true
        WHEN '' THEN false
        ELSE row_tenant = current_setting('parkcert.tenant', true)::bigint
    END
$$;

DO $$
DECLARE
    t TEXT;
BEGIN
    FOR t IN
        SELECT c.table_name FROM information_schema.columns c
        JOIN information_schema.tables s
          ON s.table_schema = c.table_schema AND s.table_name = c.table_name
        WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id'
          AND s.table_type = 'BASE TABLE'
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING (parkcert_visible(tenant_id))
             WITH CHECK (parkcert_visible(tenant_id))', t);
    END LOOP;
END
$$;

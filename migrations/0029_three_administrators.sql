-- 三员分立 (GB/T 22239-2019 level 3): the one platform admin becomes three roles, a system
-- administrator (tenants, the calendar, accounts), a security administrator (the security
-- policy, unlocking accounts) and an audit administrator (reads every audit trail). An existing
-- admin account becomes the system administrator.
DO $$
DECLARE
    c RECORD;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint
              WHERE conrelid = 'users'::regclass AND contype = 'c'
                AND pg_get_constraintdef(oid) LIKE '%''admin''%'
    LOOP
        EXECUTE format('ALTER TABLE users DROP CONSTRAINT %I', c.conname);
    END LOOP;
END
$$;
UPDATE users SET role = 'sysadmin' WHERE role = 'admin';
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN
    ('operator', 'county', 'expert', 'bureau', 'sysadmin', 'secadmin', 'auditadmin'));
ALTER TABLE users ADD CONSTRAINT users_platform_roles_have_no_tenant CHECK (
    (role IN ('sysadmin', 'secadmin', 'auditadmin')) = (tenant_id IS NULL));

-- 国密 integrity for the audit trail (GB/T 39786): each entry is sealed with an HMAC-SM3 over
-- its tenant, its place in the chain, its SHA-256 hash (which covers its content and the link
-- to the entry before) and the seal of the entry before. The key is the application's (its key
-- file or crypto appliance), never the database's: a chain copied elsewhere, or edited and
-- re-hashed by someone with the owner's rights, cannot be sealed again without it.
CREATE TABLE audit_seals (
    tenant_id   BIGINT REFERENCES tenants(id),
    seq         BIGINT NOT NULL,
    key_version INT NOT NULL,
    mac         TEXT NOT NULL CHECK (mac ~ '^[0-9a-f]{64}$'),
    sealed_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- One seal per entry; NULL tenants (the platform's chain) compare equal here.
CREATE UNIQUE INDEX audit_seals_entry ON audit_seals (coalesce(tenant_id, 0), seq);

CREATE TRIGGER audit_seals_append_only
    BEFORE UPDATE OR DELETE ON audit_seals
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER audit_seals_no_truncate
    BEFORE TRUNCATE ON audit_seals
    FOR EACH STATEMENT EXECUTE FUNCTION reject_change();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_seals FROM parkcert_app;

ALTER TABLE audit_seals ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_seals USING (parkcert_visible(tenant_id))
    WITH CHECK (parkcert_visible(tenant_id));

-- The audit trail is append-only and hash-chained per tenant (NULL tenant: platform events), so
-- that an entry changed or removed afterwards is detectable: each entry carries the hash of the
-- one before it in its tenant's chain, and its own hash over its content and that link.
ALTER TABLE audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;

-- The canonical text an entry's hash covers: a JSON array (jsonb's text form is deterministic,
-- and escaping keeps fields from running into each other).
CREATE FUNCTION audit_entry_text(e audit_log) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_array(
        e.tenant_id, e.seq, e.actor_user_id,
        to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        e.object_kind, e.object_id, e.action, e.before, e.after, e.request_id, e.ip, e.prev_hash
    )::text
$$;

CREATE FUNCTION audit_entry_hash(e audit_log) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(audit_entry_text(e), 'UTF8')), 'hex')
$$;

-- Links each new entry to the last of its tenant's chain. The advisory lock (per tenant, held
-- to the end of the inserting transaction) keeps two writers from taking the same place.
CREATE FUNCTION audit_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last_seq BIGINT;
    last_hash TEXT;
BEGIN
    PERFORM pg_advisory_xact_lock(1885434475, coalesce(NEW.tenant_id, 0)::int);
    SELECT seq, hash INTO last_seq, last_hash FROM audit_log
     WHERE tenant_id IS NOT DISTINCT FROM NEW.tenant_id
     ORDER BY seq DESC LIMIT 1;
    NEW.seq := coalesce(last_seq, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
    NEW.hash := audit_entry_hash(NEW);
    RETURN NEW;
END
$$;

-- Chain what is already there, oldest first.
DO $$
DECLARE
    r audit_log%ROWTYPE;
    chain_seq BIGINT;
    chain_hash TEXT;
    chain_tenant BIGINT;
    first BOOLEAN := true;
BEGIN
    FOR r IN SELECT * FROM audit_log ORDER BY tenant_id NULLS FIRST, id LOOP
        IF first OR r.tenant_id IS DISTINCT FROM chain_tenant THEN
            chain_seq := 0;
            chain_hash := repeat('0', 64);
            chain_tenant := r.tenant_id;
            first := false;
        END IF;
        r.seq := chain_seq + 1;
        r.prev_hash := chain_hash;
        r.hash := audit_entry_hash(r);
        UPDATE audit_log SET seq = r.seq, prev_hash = r.prev_hash, hash = r.hash WHERE id = r.id;
        chain_seq := r.seq;
        chain_hash := r.hash;
    END LOOP;
END
$$;

ALTER TABLE audit_log ALTER COLUMN seq SET NOT NULL;
ALTER TABLE audit_log ALTER COLUMN prev_hash SET NOT NULL;
ALTER TABLE audit_log ALTER COLUMN hash SET NOT NULL;
CREATE UNIQUE INDEX audit_log_chain ON audit_log (tenant_id, seq) NULLS NOT DISTINCT;

CREATE TRIGGER audit_log_chain
    BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_chain();
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION reject_change();

-- Foundation: tenants (one municipal commerce bureau each), their jurisdictions, organizations,
-- users with exactly one role, server-side sessions, sign-in throttling and the audit trail.

CREATE TABLE tenants (
    id          BIGSERIAL PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE CHECK (slug ~ '^[a-z][a-z0-9-]{1,31}$'),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 2 AND 60),
    city        TEXT NOT NULL,
    -- The first digits of the administrative division code (e.g. 3303 for Wenzhou): a USCC whose
    -- region lies elsewhere gets a consistency warning, never a rejection.
    region_prefix TEXT CHECK (region_prefix ~ '^[0-9]{2,6}$'),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE jurisdictions (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 2 AND 40),
    kind        TEXT NOT NULL CHECK (kind IN ('district', 'county', 'county_city', 'function_zone', 'town', 'subdistrict')),
    division_code TEXT CHECK (division_code ~ '^[0-9]{6,12}$'),
    sort_order  INT NOT NULL DEFAULT 0,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, name),
    -- Lets child tables reference (tenant_id, id) so a row can never point into another tenant.
    UNIQUE (tenant_id, id)
);

CREATE TABLE organizations (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    uscc        TEXT NOT NULL CHECK (uscc ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 2 AND 100),
    jurisdiction_id BIGINT,
    address     TEXT NOT NULL DEFAULT '',
    legal_representative TEXT NOT NULL DEFAULT '',
    contact_name TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, uscc),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, jurisdiction_id) REFERENCES jurisdictions (tenant_id, id)
);

CREATE TABLE users (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT REFERENCES tenants(id),
    login       TEXT NOT NULL CHECK (login ~ '^[a-z0-9][a-z0-9._-]{2,39}$'),
    display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 60),
    role        TEXT NOT NULL CHECK (role IN ('operator', 'county', 'expert', 'bureau', 'admin')),
    jurisdiction_id BIGINT,
    organization_id BIGINT,
    password_hash TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Platform admins are the only users outside every tenant.
    CHECK ((role = 'admin') = (tenant_id IS NULL)),
    CHECK ((role = 'county') = (jurisdiction_id IS NOT NULL)),
    CHECK ((role = 'operator') = (organization_id IS NOT NULL)),
    FOREIGN KEY (tenant_id, jurisdiction_id) REFERENCES jurisdictions (tenant_id, id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id),
    UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX users_login_per_tenant ON users (tenant_id, login) WHERE tenant_id IS NOT NULL;
CREATE UNIQUE INDEX users_login_admin ON users (login) WHERE tenant_id IS NULL;

-- Server-side sessions (tower-sessions records). The cookie carries a random id; only its
-- SHA-256 is stored, so a leaked table does not hand out live sessions.
CREATE TABLE sessions (
    id_hash     TEXT PRIMARY KEY,
    data        JSONB NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    user_id     BIGINT REFERENCES users(id),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE sign_in_failures (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT REFERENCES tenants(id),
    login       TEXT NOT NULL,
    ip          TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_login ON sign_in_failures (tenant_id, login, at);
CREATE INDEX sign_in_failures_ip ON sign_in_failures (ip, at);

CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT REFERENCES tenants(id),
    actor_user_id BIGINT REFERENCES users(id),
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    object_kind TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    action      TEXT NOT NULL,
    before      JSONB,
    after       JSONB,
    request_id  TEXT,
    ip          TEXT
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, at);
CREATE INDEX audit_log_object ON audit_log (object_kind, object_id);

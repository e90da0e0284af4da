-- Publicity notices (公示): the shortlist of a call published for 5 working days, during which
-- anyone may object (DOMAIN.md §6). The window is computed from the working-day calendar when
-- the notice is published and stored with it.
CREATE TABLE publicity_notices (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    call_id     BIGINT NOT NULL,
    -- Sequential per tenant and year: 公示〔2026〕1号.
    year        INT NOT NULL,
    seq         INT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    contact     TEXT NOT NULL,
    -- Where the notice also appears (the bureau's official website).
    official_url TEXT NOT NULL DEFAULT '',
    published_on DATE NOT NULL,
    first_day   DATE NOT NULL,
    last_day    DATE NOT NULL,
    opens_at    TIMESTAMPTZ NOT NULL,
    closes_at   TIMESTAMPTZ NOT NULL,
    state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
    created_by  BIGINT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, year, seq),
    UNIQUE (tenant_id, id),
    CHECK (closes_at > opens_at),
    FOREIGN KEY (tenant_id, call_id) REFERENCES calls (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);

CREATE TABLE publicity_entries (
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    notice_id   BIGINT NOT NULL,
    application_id BIGINT NOT NULL,
    position    INT NOT NULL,
    PRIMARY KEY (tenant_id, notice_id, application_id),
    -- An application is publicised once.
    UNIQUE (tenant_id, application_id),
    FOREIGN KEY (tenant_id, notice_id) REFERENCES publicity_notices (tenant_id, id),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id)
);

-- Telling people what awaits them: every use-case that creates work for someone records an
-- event in its own transaction; the same transaction writes each recipient's in-app message and
-- queues the e-mail and SMS deliveries (the outbox) that a worker sends afterwards, at least
-- once, never twice per recipient and channel.

-- The experts' deadline for their sheets and the date by which a drawn expert accepts or
-- declines (panels drawn before this have neither).
ALTER TABLE panels ADD COLUMN sheets_due DATE;
ALTER TABLE panels ADD COLUMN reply_by DATE;

-- Where a user is told besides the inbox, and whether they want it.
ALTER TABLE users ADD COLUMN email TEXT
    CONSTRAINT users_email_format CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$');
ALTER TABLE users ADD COLUMN mobile TEXT
    CONSTRAINT users_mobile_format CHECK (mobile ~ '^1[3-9][0-9]{9}$');
ALTER TABLE users ADD COLUMN notify_email BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN notify_sms BOOLEAN NOT NULL DEFAULT FALSE;

-- The objector's choice, made on the objection form, to hear the decision at the contact given.
ALTER TABLE objections ADD COLUMN notify_by TEXT NOT NULL DEFAULT 'none'
    CHECK (notify_by IN ('none', 'email', 'sms'));

CREATE TABLE events (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    kind        TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id   BIGINT NOT NULL,
    -- The page the messages link to, relative to the site (the first recipient's; each
    -- message and delivery keeps its own, which differs by the recipient's role).
    link        TEXT NOT NULL,
    facts       JSONB NOT NULL DEFAULT '{}',
    -- Reminders made by the clock (a report due in 5 working days) carry a key so that the
    -- daily sweep records each of them once.
    dedupe_key  TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, dedupe_key)
);

CREATE TABLE messages (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    event_id    BIGINT NOT NULL,
    user_id     BIGINT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    link        TEXT NOT NULL,
    read_at     TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, event_id, user_id),
    FOREIGN KEY (tenant_id, event_id) REFERENCES events (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX messages_inbox ON messages (tenant_id, user_id, (read_at IS NULL), id DESC);

-- The outbox: one row per recipient and channel. `delivery_key` is that pair, sent as the
-- message's id, so that a retry is recognisably the same message.
CREATE TABLE deliveries (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    event_id    BIGINT NOT NULL,
    -- NULL for a recipient who is not a user (an objector, an expert without an account).
    user_id     BIGINT,
    recipient   TEXT NOT NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    address     TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    -- The page the e-mail links to, relative to the site.
    link        TEXT NOT NULL,
    delivery_key TEXT NOT NULL UNIQUE,
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts    INT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_error  TEXT NOT NULL DEFAULT '',
    sent_at     TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, event_id) REFERENCES events (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX deliveries_log ON deliveries (tenant_id, id DESC);

CREATE TABLE delivery_attempts (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    delivery_id BIGINT NOT NULL,
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    ok          BOOLEAN NOT NULL,
    error       TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (tenant_id, delivery_id) REFERENCES deliveries (tenant_id, id)
);
CREATE INDEX delivery_attempts_of ON delivery_attempts (tenant_id, delivery_id, id);

DO $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['events', 'messages', 'deliveries', 'delivery_attempts'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING (parkcert_visible(tenant_id))
             WITH CHECK (parkcert_visible(tenant_id))', t);
    END LOOP;
END
$$;

-- Re-review by an expert panel (复评, 温州 第八条, 中山 第十一条): the bureau draws a panel for a
-- re-review round with the same auditable lottery and recusal as a call (the parks' previous
-- reviewers included), each member gives an opinion on each park's current state, and the
-- opinions inform the bureau's decision (pass / rectification / delisting).
CREATE TABLE re_review_panels (
    id           BIGSERIAL PRIMARY KEY,
    tenant_id    BIGINT NOT NULL REFERENCES tenants(id),
    re_review_id BIGINT NOT NULL,
    seed         TEXT NOT NULL,
    draw_input   JSONB NOT NULL,
    draw_result  JSONB NOT NULL,
    drawn_by     BIGINT NOT NULL,
    drawn_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, re_review_id),
    FOREIGN KEY (tenant_id, re_review_id) REFERENCES re_reviews (tenant_id, id),
    FOREIGN KEY (tenant_id, drawn_by) REFERENCES users (tenant_id, id)
);
CREATE TRIGGER re_review_panels_immutable
    BEFORE UPDATE OR DELETE ON re_review_panels
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- One member's opinion on one park of the round.
CREATE TABLE re_review_sheets (
    id               BIGSERIAL PRIMARY KEY,
    tenant_id        BIGINT NOT NULL REFERENCES tenants(id),
    panel_id         BIGINT NOT NULL,
    re_review_park_id BIGINT NOT NULL,
    expert_id        BIGINT NOT NULL,
    seat             INT NOT NULL,
    conflict         TEXT NOT NULL DEFAULT 'undeclared'
        CHECK (conflict IN ('undeclared', 'none', 'declared')),
    conflict_reason  TEXT NOT NULL DEFAULT '',
    opinion          TEXT CHECK (opinion IN ('pass', 'rectify', 'delist')),
    summary          TEXT NOT NULL DEFAULT '',
    state            TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'submitted', 'withdrawn')),
    submitted_at     TIMESTAMPTZ,
    lock_version     INT NOT NULL DEFAULT 0,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, panel_id, re_review_park_id, expert_id),
    FOREIGN KEY (tenant_id, panel_id) REFERENCES re_review_panels (tenant_id, id),
    FOREIGN KEY (tenant_id, re_review_park_id) REFERENCES re_review_parks (tenant_id, id),
    FOREIGN KEY (tenant_id, expert_id) REFERENCES experts (tenant_id, id)
);

DO $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['re_review_panels', 're_review_sheets'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING (parkcert_visible(tenant_id))
             WITH CHECK (parkcert_visible(tenant_id))', t);
    END LOOP;
END
$$;

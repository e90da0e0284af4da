-- Awards (认定): a certificate number sequential per tenant and year, the date, validity (per
-- rule set: Wenzhou 3 years, Zhongshan none), the tier granted (Zhongshan) and the rule-set
-- version it was awarded under.
CREATE TABLE awards (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    application_id BIGINT NOT NULL,
    year        INT NOT NULL,
    seq         INT NOT NULL,
    number      TEXT NOT NULL,
    park_name   TEXT NOT NULL,
    tier        TEXT,
    awarded_on  DATE NOT NULL,
    valid_until DATE,
    rule_set_version_id BIGINT NOT NULL,
    created_by  BIGINT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, application_id),
    UNIQUE (tenant_id, year, seq),
    UNIQUE (tenant_id, number),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id),
    FOREIGN KEY (tenant_id, rule_set_version_id) REFERENCES rule_set_versions (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);
CREATE TRIGGER awards_immutable
    BEFORE UPDATE OR DELETE ON awards
    FOR EACH ROW EXECUTE FUNCTION reject_change();
ALTER TABLE application_reviews DROP CONSTRAINT application_reviews_opinion_check;
ALTER TABLE application_reviews ADD CONSTRAINT application_reviews_opinion_check
    CHECK (opinion IN ('recommend', 'not_recommend', 'return', 'accept', 'reject', 'shortlist',
                       'award', 'not_award'));

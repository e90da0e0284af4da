-- Dynamic management after the award (温州 第八条–第九条, 附件4; 中山 第十一条–第十五条).

-- The title an award confers, and where it stands: awarded → rectification → delisted, revoked,
-- expired. One per award (a provincial-list award has no application to carry the state); for a
-- procedure award the application's state moves with it in the same transaction.
CREATE TABLE titles (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    award_id    BIGINT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'awarded'
                CHECK (state IN ('awarded', 'rectification', 'delisted', 'revoked', 'expired')),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, award_id),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, award_id) REFERENCES awards (tenant_id, id)
);
INSERT INTO titles (tenant_id, award_id, state)
SELECT w.tenant_id, w.id, coalesce(a.state, 'awarded')
FROM awards w LEFT JOIN applications a ON a.tenant_id = w.tenant_id AND a.id = w.application_id;

-- When reports fall due: days after the end of each quarter (and of each half year for the
-- county's work report), and the grace period after a recorded reminder (中山 第十五条).
CREATE TABLE monitoring_settings (
    tenant_id   BIGINT PRIMARY KEY REFERENCES tenants(id),
    due_q1      SMALLINT NOT NULL DEFAULT 15 CHECK (due_q1 BETWEEN 1 AND 90),
    due_q2      SMALLINT NOT NULL DEFAULT 15 CHECK (due_q2 BETWEEN 1 AND 90),
    due_q3      SMALLINT NOT NULL DEFAULT 15 CHECK (due_q3 BETWEEN 1 AND 90),
    due_q4      SMALLINT NOT NULL DEFAULT 20 CHECK (due_q4 BETWEEN 1 AND 90),
    due_half    SMALLINT NOT NULL DEFAULT 20 CHECK (due_half BETWEEN 1 AND 90),
    grace_days  SMALLINT NOT NULL DEFAULT 10 CHECK (grace_days BETWEEN 1 AND 90),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A periodic report: a park's quarterly data (operator), a county's quarterly park dynamics or
-- half-year work report (温州 第九条). Its content lives in immutable versions.
CREATE TABLE periodic_reports (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    kind        TEXT NOT NULL CHECK (kind IN ('park_quarter', 'county_quarter', 'county_half')),
    award_id    BIGINT,
    jurisdiction_id BIGINT NOT NULL,
    year        INT NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    period      SMALLINT NOT NULL CHECK (period BETWEEN 1 AND 4),
    state       TEXT NOT NULL DEFAULT 'submitted'
                CHECK (state IN ('submitted', 'county_passed', 'accepted', 'returned')),
    version_count INT NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    CHECK ((kind = 'park_quarter') = (award_id IS NOT NULL)),
    CHECK (kind <> 'county_half' OR period <= 2),
    FOREIGN KEY (tenant_id, award_id) REFERENCES awards (tenant_id, id),
    FOREIGN KEY (tenant_id, jurisdiction_id) REFERENCES jurisdictions (tenant_id, id)
);
CREATE UNIQUE INDEX periodic_reports_one_per_park_period
    ON periodic_reports (tenant_id, award_id, year, period) WHERE kind = 'park_quarter';
CREATE UNIQUE INDEX periodic_reports_one_per_county_period
    ON periodic_reports (tenant_id, kind, jurisdiction_id, year, period) WHERE kind <> 'park_quarter';

CREATE TABLE periodic_report_versions (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    report_id   BIGINT NOT NULL,
    number      INT NOT NULL CHECK (number >= 1),
    data        JSONB NOT NULL,
    submitted_by BIGINT NOT NULL,
    submitted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, report_id, number),
    FOREIGN KEY (tenant_id, report_id) REFERENCES periodic_reports (tenant_id, id),
    FOREIGN KEY (tenant_id, submitted_by) REFERENCES users (tenant_id, id)
);
CREATE TRIGGER periodic_report_versions_immutable
    BEFORE UPDATE OR DELETE ON periodic_report_versions
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- The county's and the bureau's decisions on a report version.
CREATE TABLE periodic_report_reviews (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    report_id   BIGINT NOT NULL,
    version     INT NOT NULL,
    stage       TEXT NOT NULL CHECK (stage IN ('county', 'bureau')),
    decision    TEXT NOT NULL CHECK (decision IN ('pass', 'accept', 'return')),
    reason      TEXT NOT NULL DEFAULT '',
    decided_by  BIGINT NOT NULL,
    decided_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    FOREIGN KEY (tenant_id, report_id) REFERENCES periodic_reports (tenant_id, id),
    FOREIGN KEY (tenant_id, decided_by) REFERENCES users (tenant_id, id)
);
CREATE TRIGGER periodic_report_reviews_immutable
    BEFORE UPDATE OR DELETE ON periodic_report_reviews
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- A recorded urging (催报 / 督促) for a missing report.
CREATE TABLE report_reminders (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    kind        TEXT NOT NULL CHECK (kind IN ('park_quarter', 'county_quarter', 'county_half')),
    award_id    BIGINT,
    jurisdiction_id BIGINT NOT NULL,
    year        INT NOT NULL,
    period      SMALLINT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    grace_until DATE NOT NULL,
    sent_by     BIGINT NOT NULL,
    sent_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    FOREIGN KEY (tenant_id, award_id) REFERENCES awards (tenant_id, id),
    FOREIGN KEY (tenant_id, jurisdiction_id) REFERENCES jurisdictions (tenant_id, id),
    FOREIGN KEY (tenant_id, sent_by) REFERENCES users (tenant_id, id)
);
CREATE TRIGGER report_reminders_immutable
    BEFORE UPDATE OR DELETE ON report_reminders
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- The engine's re-evaluation of a park after an accepted quarterly report.
CREATE TABLE monitoring_results (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    award_id    BIGINT NOT NULL,
    report_id   BIGINT NOT NULL,
    year        INT NOT NULL,
    quarter     SMALLINT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('compliant', 'at_risk', 'non_compliant')),
    findings    JSONB NOT NULL,
    indicators  JSONB NOT NULL,
    evaluated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, report_id),
    FOREIGN KEY (tenant_id, award_id) REFERENCES awards (tenant_id, id),
    FOREIGN KEY (tenant_id, report_id) REFERENCES periodic_reports (tenant_id, id)
);
CREATE TRIGGER monitoring_results_immutable
    BEFORE UPDATE OR DELETE ON monitoring_results
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- Grounds for revocation found by the system (a report still missing after a reminder and its
-- grace period, 中山 第十五条). The bureau decides; the ground only says it may.
CREATE TABLE revocation_grounds (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    award_id    BIGINT NOT NULL,
    ground      TEXT NOT NULL CHECK (ground IN ('unreported')),
    article     TEXT NOT NULL,
    detail      TEXT NOT NULL,
    reminder_id BIGINT NOT NULL UNIQUE REFERENCES report_reminders(id),
    raised_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    FOREIGN KEY (tenant_id, award_id) REFERENCES awards (tenant_id, id)
);

-- A re-review round (复评) and its parks, each evaluated when the round opens.
CREATE TABLE re_reviews (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    title       TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    reason      TEXT NOT NULL DEFAULT '',
    opened_by   BIGINT NOT NULL,
    opened_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, opened_by) REFERENCES users (tenant_id, id)
);
CREATE TABLE re_review_parks (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    re_review_id BIGINT NOT NULL,
    award_id    BIGINT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('compliant', 'at_risk', 'non_compliant')),
    findings    JSONB NOT NULL,
    result      TEXT CHECK (result IN ('pass', 'rectify', 'delist')),
    result_reason TEXT NOT NULL DEFAULT '',
    decided_by  BIGINT,
    decided_at  TIMESTAMPTZ,
    UNIQUE (tenant_id, re_review_id, award_id),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, re_review_id) REFERENCES re_reviews (tenant_id, id),
    FOREIGN KEY (tenant_id, award_id) REFERENCES awards (tenant_id, id),
    FOREIGN KEY (tenant_id, decided_by) REFERENCES users (tenant_id, id)
);

-- 限期整改: findings, a deadline, the operator's responses, the bureau's verdict.
CREATE TABLE rectification_orders (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    award_id    BIGINT NOT NULL,
    re_review_park_id BIGINT,
    findings    TEXT NOT NULL CHECK (length(findings) BETWEEN 1 AND 5000),
    deadline    DATE NOT NULL,
    state       TEXT NOT NULL DEFAULT 'open'
                CHECK (state IN ('open', 'responded', 'accepted', 'lapsed')),
    ordered_by  BIGINT NOT NULL,
    ordered_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, award_id) REFERENCES awards (tenant_id, id),
    FOREIGN KEY (tenant_id, re_review_park_id) REFERENCES re_review_parks (tenant_id, id),
    FOREIGN KEY (tenant_id, ordered_by) REFERENCES users (tenant_id, id)
);
-- One order at a time per park.
CREATE UNIQUE INDEX rectification_orders_one_open
    ON rectification_orders (tenant_id, award_id) WHERE state IN ('open', 'responded');
CREATE TABLE rectification_responses (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    order_id    BIGINT NOT NULL,
    number      INT NOT NULL,
    report      TEXT NOT NULL,
    documents   JSONB NOT NULL DEFAULT '[]',
    submitted_by BIGINT NOT NULL,
    submitted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    verdict     TEXT CHECK (verdict IN ('accepted', 'rejected')),
    verdict_reason TEXT NOT NULL DEFAULT '',
    verdict_by  BIGINT,
    verdict_at  TIMESTAMPTZ,
    UNIQUE (tenant_id, order_id, number),
    FOREIGN KEY (tenant_id, order_id) REFERENCES rectification_orders (tenant_id, id),
    FOREIGN KEY (tenant_id, submitted_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, verdict_by) REFERENCES users (tenant_id, id)
);

-- 撤销称号: the ground, the article, the evidence, the bar on reapplying (中山 第十二条: three
-- years, by USCC) and funds to recover (中山 第十三条), in yuan.
CREATE TABLE revocations (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    award_id    BIGINT NOT NULL,
    ground      TEXT NOT NULL CHECK (ground IN
                  ('violation', 'blacklist', 'falsified', 'falsified_funds', 'accident',
                   'unreported')),
    article     TEXT NOT NULL,
    reason      TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 5000),
    uscc        TEXT NOT NULL,
    revoked_on  DATE NOT NULL,
    barred_until DATE,
    funds_to_recover BIGINT CHECK (funds_to_recover > 0),
    revoked_by  BIGINT NOT NULL,
    revoked_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, award_id),
    FOREIGN KEY (tenant_id, award_id) REFERENCES awards (tenant_id, id),
    FOREIGN KEY (tenant_id, revoked_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX revocations_bar ON revocations (tenant_id, uscc) WHERE barred_until IS NOT NULL;
CREATE TRIGGER revocations_immutable
    BEFORE UPDATE OR DELETE ON revocations
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- Expiry reminders, one per award and lead time (90 and 30 days), made by the scheduled job.
CREATE TABLE title_notices (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    award_id    BIGINT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('expiry_90', 'expiry_30')),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, award_id, kind),
    FOREIGN KEY (tenant_id, award_id) REFERENCES awards (tenant_id, id)
);

-- Targets the bureau sets for the zone (e.g. an implementation plan's 2025 figures).
CREATE TABLE zone_targets (
    tenant_id   BIGINT PRIMARY KEY REFERENCES tenants(id),
    year        INT NOT NULL,
    trade       BIGINT CHECK (trade >= 0),
    parks       INT CHECK (parks >= 0),
    enterprises INT CHECK (enterprises >= 0),
    basis       TEXT NOT NULL DEFAULT '',
    updated_by  BIGINT,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Evidence for rectification and revocation belongs to the award.
ALTER TABLE documents ADD COLUMN award_id BIGINT;
ALTER TABLE documents ADD FOREIGN KEY (tenant_id, award_id) REFERENCES awards (tenant_id, id);
ALTER TABLE documents DROP CONSTRAINT documents_one_owner;
ALTER TABLE documents ADD CONSTRAINT documents_one_owner
    CHECK (num_nonnulls(application_id, call_id, objection_id, award_id) = 1);
ALTER TABLE documents DROP CONSTRAINT documents_category_check;
ALTER TABLE documents ADD CONSTRAINT documents_category_check CHECK (category IN
    ('uscc_certificate', 'report', 'evidence', 'recommendation_letter', 'call_notice',
     'objection_evidence', 'rectification_evidence', 'revocation_evidence', 'work_report'));

-- The latest change of a title in words, for the public register (摘牌/撤销 with reasons).
ALTER TABLE titles ADD COLUMN note TEXT NOT NULL DEFAULT '';
ALTER TABLE titles ADD COLUMN changed_on DATE;

-- Review meetings with paper sheets (代录): bureau staff enter an expert's signed paper sheet
-- on their behalf, twice, by two different people; the sheet is submitted only when the two
-- entries agree, marked as entered on paper, with the scan of the signed sheet attached.

-- The scan belongs to the sheet: the bureau reads it, nobody of the applicant does.
ALTER TABLE documents ADD COLUMN assignment_id BIGINT;
ALTER TABLE documents ADD FOREIGN KEY (tenant_id, assignment_id) REFERENCES assignments (tenant_id, id);
ALTER TABLE documents DROP CONSTRAINT documents_one_owner;
ALTER TABLE documents ADD CONSTRAINT documents_one_owner
    CHECK (num_nonnulls(application_id, call_id, objection_id, award_id, batch_id, assignment_id) = 1);
ALTER TABLE documents DROP CONSTRAINT documents_category_check;
ALTER TABLE documents ADD CONSTRAINT documents_category_check CHECK (category IN
    ('uscc_certificate', 'report', 'evidence', 'recommendation_letter', 'call_notice',
     'objection_evidence', 'rectification_evidence', 'revocation_evidence', 'work_report',
     'batch_letter', 'paper_sheet'));

-- One staff member's entry of a paper sheet. `round` is the sheet's version when it was
-- entered: entries of an earlier round (before a save or a reopening) no longer count.
CREATE TABLE paper_entries (
    id            BIGSERIAL PRIMARY KEY,
    tenant_id     BIGINT NOT NULL REFERENCES tenants(id),
    assignment_id BIGINT NOT NULL,
    round         INT NOT NULL,
    scores        JSONB NOT NULL DEFAULT '{}',
    opinion       TEXT CHECK (opinion IN ('pass', 'fail')),
    summary       TEXT NOT NULL DEFAULT '',
    scan_document_id BIGINT,
    entered_by    BIGINT NOT NULL,
    entered_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, assignment_id) REFERENCES assignments (tenant_id, id),
    FOREIGN KEY (tenant_id, scan_document_id) REFERENCES documents (tenant_id, id),
    FOREIGN KEY (tenant_id, entered_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX paper_entries_assignment ON paper_entries (tenant_id, assignment_id);
CREATE TRIGGER paper_entries_immutable
    BEFORE UPDATE OR DELETE ON paper_entries
    FOR EACH ROW EXECUTE FUNCTION reject_change();
ALTER TABLE paper_entries ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON paper_entries USING (parkcert_visible(tenant_id))
    WITH CHECK (parkcert_visible(tenant_id));

-- A sheet submitted from paper: the scan and the two entries that agreed.
ALTER TABLE assignments ADD COLUMN paper_scan_document_id BIGINT;
ALTER TABLE assignments ADD FOREIGN KEY (tenant_id, paper_scan_document_id) REFERENCES documents (tenant_id, id);
ALTER TABLE assignments ADD COLUMN paper_entries BIGINT[];

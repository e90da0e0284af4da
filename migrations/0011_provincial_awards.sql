-- Zhongshan 第九条: a park on the Guangdong provincial list is awarded 引领型 directly, without
-- application, recommendation, review or publicity; the bureau records it with the list as
-- evidence. Such an award names its operator and county itself and has no application.
ALTER TABLE awards ALTER COLUMN application_id DROP NOT NULL;
ALTER TABLE awards ADD COLUMN organization_id BIGINT;
ALTER TABLE awards ADD COLUMN jurisdiction_id BIGINT;
ALTER TABLE awards ADD COLUMN basis TEXT NOT NULL DEFAULT 'procedure'
    CHECK (basis IN ('procedure', 'provincial'));
ALTER TABLE awards ADD COLUMN evidence TEXT NOT NULL DEFAULT '';
ALTER TABLE awards ADD FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id);
ALTER TABLE awards ADD FOREIGN KEY (tenant_id, jurisdiction_id) REFERENCES jurisdictions (tenant_id, id);
ALTER TABLE awards ADD CONSTRAINT awards_basis_fits
    CHECK ((basis = 'procedure' AND application_id IS NOT NULL)
        OR (basis = 'provincial' AND application_id IS NULL AND organization_id IS NOT NULL));

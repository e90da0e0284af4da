-- What a tenant calls its sub-municipal commerce offices on every page: Wenzhou's counties,
-- county-level cities, districts and function zones are 县（市、区）; Zhongshan's are towns and
-- sub-districts, 镇街 (中山 第七条). A city's word, never the other's.
ALTER TABLE tenants ADD COLUMN county_term TEXT NOT NULL DEFAULT '县（市、区）'
    CHECK (length(county_term) BETWEEN 1 AND 20);
UPDATE tenants SET county_term = '镇街' WHERE slug = 'zhongshan';

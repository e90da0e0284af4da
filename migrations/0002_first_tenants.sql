-- The first two tenants and their real jurisdictions.
-- Wenzhou (温州 第三条): counties, county-level cities, districts and municipal function zones.
-- Zhongshan (中山 第七条): towns and sub-districts (镇街), after the 2021 adjustment (23 in all).

INSERT INTO tenants (slug, name, city, region_prefix) VALUES
    ('wenzhou', '温州市商务局', '温州市', '3303'),
    ('zhongshan', '中山市商务局', '中山市', '4420');

INSERT INTO jurisdictions (tenant_id, name, kind, division_code, sort_order)
SELECT t.id, j.name, j.kind, j.code, j.ord
FROM tenants t,
(VALUES
    ('鹿城区', 'district', '330302', 1),
    ('龙湾区', 'district', '330303', 2),
    ('瓯海区', 'district', '330304', 3),
    ('洞头区', 'district', '330305', 4),
    ('永嘉县', 'county', '330324', 5),
    ('平阳县', 'county', '330326', 6),
    ('苍南县', 'county', '330327', 7),
    ('文成县', 'county', '330328', 8),
    ('泰顺县', 'county', '330329', 9),
    ('瑞安市', 'county_city', '330381', 10),
    ('乐清市', 'county_city', '330382', 11),
    ('龙港市', 'county_city', '330383', 12),
    ('温州湾新区（温州经济技术开发区）', 'function_zone', NULL, 13),
    ('瓯江口新区', 'function_zone', NULL, 14),
    ('浙南科技城', 'function_zone', NULL, 15),
    ('温州生态园', 'function_zone', NULL, 16)
) AS j(name, kind, code, ord)
WHERE t.slug = 'wenzhou';

INSERT INTO jurisdictions (tenant_id, name, kind, division_code, sort_order)
SELECT t.id, j.name, j.kind, NULL, j.ord
FROM tenants t,
(VALUES
    ('石岐街道', 'subdistrict', 1),
    ('东区街道', 'subdistrict', 2),
    ('西区街道', 'subdistrict', 3),
    ('南区街道', 'subdistrict', 4),
    ('五桂山街道', 'subdistrict', 5),
    ('中山港街道', 'subdistrict', 6),
    ('民众街道', 'subdistrict', 7),
    ('南朗街道', 'subdistrict', 8),
    ('小榄镇', 'town', 9),
    ('古镇镇', 'town', 10),
    ('横栏镇', 'town', 11),
    ('港口镇', 'town', 12),
    ('三角镇', 'town', 13),
    ('黄圃镇', 'town', 14),
    ('南头镇', 'town', 15),
    ('东凤镇', 'town', 16),
    ('阜沙镇', 'town', 17),
    ('沙溪镇', 'town', 18),
    ('大涌镇', 'town', 19),
    ('坦洲镇', 'town', 20),
    ('三乡镇', 'town', 21),
    ('板芙镇', 'town', 22),
    ('神湾镇', 'town', 23)
) AS j(name, kind, ord)
WHERE t.slug = 'zhongshan';

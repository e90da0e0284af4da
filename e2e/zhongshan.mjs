// Zhongshan's procedure (中山市跨境电商产业园区认定办法): a park applies for the 成长型 tier
// (第六条), its 镇街 pre-reviews it, the bureau accepts it, a panel of experts gives pass/fail
// opinions (no scores), the bureau shortlists it, publishes the publicity and awards the title;
// the certificate names the tier. See README.md (e2e).
import * as b from './lib.mjs';
import fs from 'node:fs';
import path from 'node:path';

const T = 'zhongshan';
const fixtures = path.resolve('../tests/fixtures');
const park = '中山港数字贸易跨境电商产业园';
const company = '中山港数贸产业园运营管理有限公司';
const town = '中山港街道';
const operatorLogin = 'zsg-shumao';
const operatorPassword = 'Gangkou-dock-2026!';
const callTitle = '关于组织申报2026年度中山市跨境电商产业园区的通知';

// The roster (附件3): 32 enterprises registered in the park, 14 of them CBEC (8 交易型, 3 平台型,
// 3 服务型), 9 filed with 中山市跨境电商企业备案, 7 of those active. 第六条 (成长型) asks for 30,
// 10 and 5; 第五条 (引领型) for 50, 20 and 10, so the park qualifies for 成长型 only.
const roster = Array.from({ length: 32 }, (_, i) => ({
  type: i < 8 ? '交易型' : i < 11 ? '平台型' : i < 14 ? '服务型' : '非跨境电商',
  filed: i < 9,
  active: i < 7,
  trade: i < 14 ? 8_000_000 : 0,
}));
const figures = {
  enterprises: 32,
  cbec: 14,
  operating: 8,
  platform: 3,
  payment: 0,
  logistics: 0,
  other: 3,
  filed: 9,
  trade: roster.reduce((sum, r) => sum + r.trade, 0),
};

/// Zhongshan, from the application to the award; returns what dynamic management needs.
export async function zhongshan() {
  // Publicity is published on Tuesday 2026-11-10 (after Wenzhou's award): 11-11 to 11-17.
  b.setClock('2026-11-10T09:30:00+08:00');

  // 1. The park's operator registers with its 镇街.
  const operator = await b.person('中山·园区运营机构');
  await b.visit(operator, `/t/${T}`);
  await b.step(operator, 'zs-home', '中山市商务局', callTitle);
  await b.follow(operator, operator.getByRole('link', { name: callTitle }).first());
  await b.step(operator, 'zs-public-call', callTitle, '引领型', '成长型');
  await b.visit(operator, `/t/${T}/register`);
  await b.step(operator, 'zs-register', '所在镇街', town);
  await operator.getByLabel('运营管理机构名称').fill(company);
  await operator.getByLabel('统一社会信用代码').fill(b.uscc('91442000MA56RT3L9'));
  await operator.getByLabel('所在镇街').selectOption({ label: town });
  await operator.getByLabel('注册地址').fill('中山市火炬开发区中山港大道99号');
  await operator.getByLabel('法定代表人').fill('黄永康');
  await operator.getByLabel('联系人').fill('梁晓琳');
  await operator.getByLabel('联系电话').fill('0760-85331234');
  await operator.getByLabel('账号').fill(operatorLogin);
  await operator.getByLabel('姓名').fill('梁晓琳');
  await operator.getByLabel('密码', { exact: true }).fill(operatorPassword);
  await operator.getByLabel('确认密码').fill(operatorPassword);
  await b.submit(operator, '注册');
  await b.step(operator, 'zs-operator-registered', company);

  // 2. It signs in, opens an application and imports its roster (a CSV saved from Excel).
  await b.signIn(operator, T, operatorLogin, operatorPassword);
  await b.step(operator, 'zs-operator-home', company, town, callTitle);
  await b.submit(operator, '新建申报', operator.locator('.card', { hasText: callTitle }));
  await b.step(operator, 'zs-application-new', '园区所在镇街', '申报类型', '第六条（四）');
  const appId = b.idIn(operator.url(), 'applications');
  const app = `/t/${T}/operator/applications/${appId}`;
  await b.visit(operator, `${app}/roster`);
  const csv = path.join(b.artifacts, 'zhongshan-roster.csv');
  fs.writeFileSync(csv, rosterCsv());
  await operator.getByLabel('名录文件').setInputFiles(csv);
  await b.submit(operator, '导入');
  await b.step(operator, 'zs-roster-imported', '已导入 32 家企业');

  // 3. The form, applying for 成长型; the self-check shows 第六条 met.
  await b.follow(operator, operator.getByRole('link', { name: '申报表和申报书' }));
  await fillApplicationForm(operator);
  await b.submit(operator, '保存草稿');
  await b.step(operator, 'zs-form-saved', '已保存', '量化条件均符合');
  const growing = await operator.locator('.selfcheck-list li', { hasText: '第六条' }).allInnerTexts();
  if (growing.length !== 6 || !growing.every((check) => check.startsWith('符合'))) {
    throw new Error(`the self-check should show 第六条's six checks met: ${growing.join(' | ')}`);
  }
  await b.visit(operator, app);
  await b.step(operator, 'zs-application', park, '草稿');
  for (const [category, file] of [
    ['营业执照（统一社会信用代码证）复印件', 'documents/licence.pdf'],
    ['申报书（盖章扫描件）', 'documents/licence.pdf'],
    ['佐证材料', 'documents/plan.png'],
  ]) {
    await operator.getByLabel('材料类别').selectOption({ label: category });
    await operator.getByLabel('文件', { exact: true }).setInputFiles(`${fixtures}/${file}`);
    await b.submit(operator, '上传');
  }
  await b.submit(operator, '提交申报');
  await b.step(operator, 'zs-submitted', '第 1 版', '草稿 → 已提交');
  await b.follow(operator, operator.getByRole('link', { name: '第 1 版' }).first());
  await b.follow(operator, operator.getByRole('link', { name: '打印申报材料（A4）' }));
  await b.step(operator, 'zs-version-1-print', '中山市跨境电商产业园区认定申报表', '法定代表人签字',
    '中山市跨境电商产业园区认定申报书', '加盖单位公章', '入驻企业名录');
  await b.mustNotSee(operator, '附件1', '附件3');

  // 4. 中山港街道 attests the basic conditions (第四条) and recommends.
  const county = await b.person('中山港街道商务主管部门');
  await b.signIn(county, T, 'zs-county-torch');
  await b.step(county, 'zs-county-queue', park);
  await b.follow(county, county.getByRole('link', { name: park }));
  await b.step(county, 'zs-county-review', park, '第四条（五）', '第六条（一）');
  await county.getByRole('radio', { name: '推荐', exact: true }).check();
  for (const box of await county.getByRole('checkbox').all()) await box.check();
  await county.getByLabel('意见说明').fill('经核实，该园区在本街道注册经营，规划和运营规范，近两年无违法违规记录，同意推荐申报成长型园区。');
  await b.submit(county, '记录初审意见');
  // 第八条（二）: the town forwards its checked applications together, ranked, under one letter.
  await b.step(county, 'zs-county-batch-form', '统一报送', '初审意见已记录', park, '推荐函（加盖公章的扫描件）');
  await county.getByLabel(`推荐排序：${park}`).fill('1');
  await county.getByLabel('推荐函（加盖公章的扫描件）').setInputFiles(`${fixtures}/documents/licence.pdf`);
  await b.submit(county, '统一报送');
  await b.step(county, 'zs-county-batch', '中山港街道统一报送第', park, '推荐函');
  await b.visit(county, `/t/${T}/county`);
  await b.mustSeeInRow(county, park, '已报送');
  await b.step(county, 'zs-county-recommended', '已统一报送的批次');

  // 5. The bureau accepts it for review.
  const bureau = await b.person('中山市商务局');
  await b.signIn(bureau, T, 'zs-bureau');
  await b.step(bureau, 'zs-bureau-home', '中山市商务局');
  await b.visit(bureau, `/t/${T}/bureau/applications/${appId}`);
  await b.step(bureau, 'zs-bureau-check', '属地初审：推荐（第 1 版', '统一报送第', '推荐排序第 1 位', '申报类型', '成长型');
  await bureau.getByRole('radio', { name: '受理，进入评审' }).check();
  await b.submit(bureau, '提交意见');
  await b.mustSeeInRow(bureau, park, '评审中');
  await b.step(bureau, 'zs-bureau-accepted', '已受理');
  const callId = b.idIn(bureau.url(), 'calls');

  // 6. A panel of the pool's three experts; each gives an opinion, not a score.
  await b.follow(bureau, bureau.getByRole('link', { name: '专家评审与结果' }));
  await b.step(bureau, 'zs-review-hub', '抽取评审组', park);
  await bureau.getByLabel(`${park}（${town}）`).check();
  await bureau.getByLabel('评审组名称').fill('2026年度第二评审组');
  await bureau.getByLabel('评审组人数').fill('3');
  await bureau.getByLabel('抽签种子').fill('20261110-0930');
  await b.submit(bureau, '抽取');
  await b.step(bureau, 'zs-panel-drawn', '2026年度第二评审组', '20261110-0930');
  const members = await bureau.locator('table', { hasText: '席位' }).first().locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => ({ name: tr.cells[1].innerText.trim(), login: tr.cells[3].innerText.trim() })));
  if (members.length !== 3) throw new Error(`a panel of 3 was drawn, the page lists ${members.length}`);
  for (const [i, member] of members.entries()) {
    if (!/^zs-expert\d$/.test(member.login)) throw new Error(`${member.name} has no demo account: ${member.login}`);
    const expert = await b.person(`中山专家${member.name}`);
    await b.signIn(expert, T, member.login);
    if (i === 0) await b.step(expert, 'zs-expert-home', park, '待回复评审邀请');
    await b.follow(expert, expert.getByRole('link', { name: '待回复评审邀请', exact: true }));
    if (i === 0) await b.step(expert, 'zs-expert-invitation', '2026年度第二评审组', '谢绝邀请');
    await b.submit(expert, '接受邀请');
    if (i === 0) await b.step(expert, 'zs-expert-accepted', '已接受');
    await b.follow(expert, expert.getByRole('link', { name: park, exact: true }));
    if (i === 0) await b.step(expert, 'zs-expert-declaration', '回避声明', '所在镇街');
    await expert.getByRole('radio', { name: '无利害关系，参加评审' }).check();
    await b.submit(expert, '提交声明');
    if (i === 0) await b.step(expert, 'zs-expert-opinion-form', '评审意见', '通过', '不通过', '申报材料（第 1 版）');
    await b.mustNotSee(expert, '评分表');
    await expert.getByRole('radio', { name: '通过', exact: true }).check();
    await expert.getByLabel('意见说明').fill('园区入驻企业、备案企业和交易额均达到第六条成长型要求，同意通过。');
    await b.submit(expert, '提交评审意见（提交后锁定）');
    await b.step(expert, `zs-expert-${i + 1}-opinion`, '评审意见（已提交，已锁定）');
    await expert.context().close();
  }

  // 7. The results name the tier the checks support and the opinions; the bureau shortlists.
  await b.visit(bureau, `/t/${T}/bureau/calls/${callId}/review`);
  await b.mustSeeInRow(bureau, park, '成长型', '通过 3 / 不通过 0');
  await b.step(bureau, 'zs-results', '评审结果', park);
  await b.visit(bureau, `/t/${T}/bureau/applications/${appId}`);
  await b.step(bureau, 'zs-decision', '评审结论：是否列入拟认定名单', '通过 3 / 不通过 0');
  await bureau.getByRole('radio', { name: '列入拟认定名单' }).check();
  await b.submit(bureau, '提交意见');
  await b.mustSeeInRow(bureau, park, '入围');
  await b.step(bureau, 'zs-shortlisted', '已列入拟认定名单');

  // 8. Publicity: published Tuesday 2026-11-10, five working days, 11-11 to 11-17.
  await b.visit(bureau, `/t/${T}/bureau/calls/${callId}/publicity`);
  await b.step(bureau, 'zs-publicity-form', '公示名单（1 个）', park);
  await bureau.getByLabel('联系人及电话').fill('市商务局电子商务科，电话：0760-88310000');
  await b.submit(bureau, '发布公示');
  await b.step(bureau, 'zs-publicity-published', '公示已发布', park, '2026年11月11日', '2026年11月17日');
  const noticeNo = await b.textMatching(bureau, /公示〔2026〕\d+号/);

  b.setClock('2026-11-12T10:00:00+08:00');
  const citizen = await b.person('中山·公众');
  await b.visit(citizen, `/t/${T}/publicity`);
  await b.mustSeeInRow(citizen, noticeNo, '公示中');
  await b.step(citizen, 'zs-notices', noticeNo);
  await b.follow(citizen, citizen.locator('tr', { hasText: noticeNo }).getByRole('link').first());
  await b.step(citizen, 'zs-public-notice', park, company, '公示期内');

  // 9. The window closes; no objection was filed; the bureau awards 成长型.
  b.setClock('2026-11-18T09:00:00+08:00');
  await citizen.reload();
  await b.waitToSee(citizen, '公示期已结束');
  await b.step(citizen, 'zs-publicity-closed', '公示期已结束');
  await b.visit(bureau, `/t/${T}/bureau/applications/${appId}`);
  await b.step(bureau, 'zs-award-decision', '认定决定', '状态：公示结束');
  await bureau.getByRole('radio', { name: '认定', exact: true }).check();
  await b.submit(bureau, '提交意见');
  await b.step(bureau, 'zs-awarded', '已认定，证书编号');
  const number = await b.textMatching(bureau, /中商务跨园〔2026〕\d{3}号/);

  // 10. The public register and the certificate name the tier.
  await b.visit(citizen, `/t/${T}/parks`);
  await b.mustSeeInRow(citizen, park, number, '成长型', '有效', company, '2026-11-18', '长期');
  await b.step(citizen, 'zs-public-register', park);
  await b.follow(citizen, citizen.getByRole('link', { name: number }));
  await b.step(citizen, 'zs-certificate', number, park, '（成长型）');

  for (const p of [operator, county, bureau, citizen]) await p.context().close();
  return {
    slug: T,
    tag: 'zs',
    city: '中山',
    park,
    number,
    town,
    operator: [operatorLogin, operatorPassword],
    county: 'zs-county-torch',
    bureau: 'zs-bureau',
    currency: '元',
    // Q4 2026: transactions of 2亿元 a quarter are 8亿元 a year, short of 第六条（四）'s 10亿元;
    // everything else meets 第六条.
    quarter: {
      本季度跨境电商进出口额: '30000000',
      本季度跨境电商交易额: '200000000',
      季末入驻企业总数: '33',
      跨境电商经营企业: '9',
      跨境电商平台企业: '3',
      跨境电商支付企业: '0',
      '跨境电商物流、供应链企业': '0',
      其他跨境电商企业: '3',
      registered: '10',
      其中本季度已开展业务的备案企业: '8',
      本季度自办跨境电商活动: '2',
      本季度与商务部门: '1',
    },
    finding: ['第六条（四）', '800,000,000'],
    otherTier: ['第五条'],
  };
}

async function fillApplicationForm(page) {
  await page.getByLabel('园区所在镇街').selectOption({ label: town });
  const fields = {
    园区名称: park,
    批准设立部门: '中山市火炬高技术产业开发区管理委员会',
    设立时间: '2023-05-20',
    投入运营日期: '2023-09-01',
    园区地址: '中山市火炬开发区中山港大道99号',
    '规划面积（平方米）': '18000',
    '建筑面积（平方米）': '12500',
    '实际使用面积（平方米）': '11000',
    入驻企业总数: String(figures.enterprises),
    入驻跨境电商企业数: String(figures.cbec),
    跨境电商经营企业数: String(figures.operating),
    跨境电商平台企业数: String(figures.platform),
    跨境电商支付企业数: String(figures.payment),
    跨境电商物流供应链企业数: String(figures.logistics),
    跨境电商其他类型企业数: String(figures.other),
    完成中山市跨境电商企业备案的企业数: String(figures.filed),
    '2025年跨境电商进出口总额（元）': String(figures.trade),
    '2025年跨境电商交易总额（元）': '1180000000',
    '2024年跨境电商进出口总额（元）': '96000000',
    '2024年跨境电商交易总额（元）': '1020000000',
    法定代表人姓名: '黄永康',
    法定代表人手机: '13902760188',
    业务负责人姓名: '梁晓琳',
    业务负责人职务: '园区招商运营部经理',
    业务负责人手机: '13802760166',
    业务负责人邮箱: 'liangxl@example.com',
    '一、基本情况': `${park}位于火炬开发区中山港大道，由${company}统一运营，现有入驻企业${figures.enterprises}家。`,
    '二、1．': '园区纳入火炬开发区跨境电商产业发展规划，定位为数字贸易和跨境电商集聚区。',
    '二、2．': `园区已集聚跨境电商企业${figures.cbec}家，其中完成备案${figures.filed}家。`,
    '二、3．': '建成跨境电商公共服务平台，对接中山市跨境电商公共服务平台数据。',
    '二、4．': '提供通关、结汇、物流、培训等公共服务支撑。',
    '二、5．': '配套直播基地、共享仓储和培训教室，向周边企业开放。',
    '二、6．': '运营管理机构设专职团队8人，建立入驻、考核和数据报送制度。',
    '三、下一步发展计划': '三年内入驻跨境电商企业达到25家，力争达到引领型园区标准。',
  };
  for (const [label, value] of Object.entries(fields)) {
    await page.getByLabel(label).fill(value);
  }
  await page.getByLabel('园区类型').selectOption({ label: '产业聚集型' });
  await page.getByLabel('申报类型').selectOption({ label: '成长型' });
  for (const service of ['交易平台服务', '通关服务', '结汇服务', '物流服务', '统计监测服务']) {
    await page.getByLabel(service, { exact: true }).check();
  }
}

/// The roster as the operator keeps it: Zhongshan's columns, UTF-8 with a BOM.
function rosterCsv() {
  const header = ['序号', '统一社会信用代码', '企业名称', '镇街', '法定代表人', '跨境电商企业类型',
    '是否在中山市跨境电商企业备案', '是否开展业务', '注册地址是否在园区内', '2025年跨境电商进出口额（元）',
    '企业成立年份', '注册资本（万元）', '主营业务', '员工人数', '主营平台/服务类型', '联系人', '联系电话'];
  const words = ['海纳', '灯都', '翠亨', '岐江', '伟业', '远洋', '兴中', '博远'];
  const trades = ['灯饰', '家电', '五金', '服装', '电声', '家具'];
  const people = ['梁志华', '冯建国', '何永康', '黄丽', '陈伟', '吴敏'];
  const rows = roster.map((r, i) => [
    i + 1,
    b.uscc(`91442000MA${5_600_000 + i * 37}`),
    `中山市${words[i % 8]}${trades[Math.floor(i / 8) % 6]}${['', '科技', '贸易', '实业'][i % 4]}有限公司`,
    town,
    people[i % 6],
    r.type,
    r.filed ? '是' : '否',
    r.active ? '是' : '否',
    '是',
    r.trade,
    2015 + (i % 9),
    100 + (i % 5) * 50,
    `${trades[Math.floor(i / 8) % 6]}产品${r.type === '非跨境电商' ? '生产' : '出口'}`,
    10 + (i % 30),
    r.type === '非跨境电商' ? '' : ['亚马逊', '速卖通', '阿里巴巴国际站'][i % 3],
    people[(i + 3) % 6],
    `0760-8533${String(1000 + i)}`,
  ]);
  return '\uFEFF' + [header, ...rows].map((cells) => cells.join(',')).join('\r\n') + '\r\n';
}

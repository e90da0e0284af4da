// Dynamic management after the award (温州 第八条–第九条, 中山 第十一条–第十四条), for a park the
// walkthrough awarded: its operator files the quarterly report, the county passes it, the bureau
// accepts it and the engine's re-evaluation gives a 预警; the bureau orders a rectification in a
// re-review, the operator answers it and the bureau accepts the rectification. See README.md (e2e).
//
// `park` is what the city's procedure returned: slug, city, park, number, the operator's login,
// the county's and bureau's logins, the report's figures (by label) and the finding they give.
import * as b from './lib.mjs';
import path from 'node:path';

const fixtures = path.resolve('../tests/fixtures');
const deadline = '2027-03-31';

/// The first quarter after the award: reported, passed, accepted (预警), rectification ordered.
/// Run on or after 2027-01-20, when the report for 2026 Q4 falls due.
export async function quarterlyReport(park) {
  const T = park.slug;
  const quarter = '2026年第4季度';

  // 1. The operator finds the quarter owed on its park's page and files it.
  const operator = await b.person(`${park.city}·园区运营机构`);
  await b.signIn(operator, T, ...park.operator);
  await b.mustSeeInRow(operator, park.number, park.park, '有效');
  await b.step(operator, `${park.tag}-operator-parks`, '已认定园区');
  await b.follow(operator, operator.locator('tr', { hasText: park.number }).getByRole('link', { name: park.park }));
  await b.mustSeeInRow(operator, quarter, '2027-01-20', '待报送');
  await b.step(operator, `${park.tag}-park-owed`, park.park, park.number, '有效', '季度数据报告');
  park.operatorPark = new URL(operator.url()).pathname;
  await b.follow(operator, operator.locator('tr', { hasText: quarter }).getByRole('link', { name: /填报/ }));
  await b.step(operator, `${park.tag}-report-form`, `${quarter}数据报告`, '报送截止：2027-01-20', `本季度跨境电商进出口额（${park.currency}）`);
  for (const [label, value] of Object.entries(park.quarter)) {
    // `registered`: the enterprises on the city's own register (中山: 备案; 温州: 综试区平台).
    const field = label === 'registered'
      ? operator.getByLabel(/^其中(?!本季度).*备案的企业/)
      : operator.getByLabel(new RegExp(`^${label}`));
    await field.fill(value);
  }
  await operator.getByLabel('本季度重要变化').fill('本季度主要客户订单推迟至下季度，交易额明显回落；新入驻跨境电商企业1家。');
  await b.submit(operator, '报送');
  await b.step(operator, `${park.tag}-report-filed`, `${quarter}数据报告已报送`, '已报送', '第 1 版');

  // 2. The county (镇街 in Zhongshan) passes it to the bureau.
  const county = await b.person(`${park.city}·属地商务主管部门`);
  await b.signIn(county, T, park.county);
  await b.step(county, `${park.tag}-county-home`, '园区监管');
  await b.follow(county, county.getByRole('link', { name: '园区监管' }).first());
  await b.mustSeeInRow(county, park.park, quarter);
  await b.step(county, `${park.tag}-county-reports`, '待审核的园区季度报告');
  await b.follow(county, county.locator('tr', { hasText: park.park }).getByRole('link', { name: park.park }).first());
  await b.step(county, `${park.tag}-county-report`, park.park, quarter, '已报送', park.quarter.季末入驻企业总数);
  await county.getByRole('radio', { name: '审核通过，报市商务局' }).check();
  await b.submit(county, '提交');
  await b.step(county, `${park.tag}-county-passed`, '已审核通过，报市商务局。');

  // 3. The bureau accepts it: the engine re-evaluates the park on the rules it was awarded under.
  const bureau = await b.person(`${park.city}·市商务局`);
  await b.signIn(bureau, T, park.bureau);
  await b.step(bureau, `${park.tag}-bureau-home`, '动态管理');
  await b.follow(bureau, bureau.getByRole('link', { name: '动态管理' }).first());
  await b.mustSeeInRow(bureau, park.park, quarter);
  await b.step(bureau, `${park.tag}-reports-to-accept`, '待采纳的报告');
  await b.follow(bureau, bureau.locator('tr', { hasText: park.park }).filter({ hasText: quarter })
    .getByRole('link', { name: '园区季度数据报告' }));
  const reportPath = new URL(bureau.url()).pathname;
  if (!/\/bureau\/monitoring\/reports\/\d+$/.test(reportPath)) throw new Error(`the report opened at ${reportPath}`);
  await b.step(bureau, `${park.tag}-report-to-accept`, quarter, '属地已审核', '属地审核通过');
  await bureau.getByRole('radio', { name: /^采纳/ }).check();
  await b.submit(bureau, '提交');
  await b.step(bureau, `${park.tag}-report-accepted`, '已采纳。园区监测结果：预警。', '监测结果：预警', '已采纳', ...park.finding);
  // A park is monitored on the tier it was awarded (a Zhongshan 成长型 park: 第六条, never 第五条).
  await b.mustNotSee(bureau, ...(park.otherTier ?? []));
  if (new URL(bureau.url()).pathname !== reportPath) throw new Error(`accepting led to ${bureau.url()}`);

  await b.follow(bureau, bureau.getByRole('link', { name: '动态管理' }).first());
  await b.mustSeeInRow(bureau, park.park, '预警', '有效');
  await b.step(bureau, `${park.tag}-dashboard-warning`, park.park);

  // 4. A re-review of the park; the bureau orders a rectification by 2027-03-31.
  await b.follow(bureau, bureau.getByRole('link', { name: '复评', exact: true }));
  await b.step(bureau, `${park.tag}-re-reviews`, '启动复评', park.park);
  await bureau.getByLabel('复评名称').fill(`${park.city}2026年第四季度预警园区复评`);
  await bureau.getByLabel('复评原因').fill(`${quarter}监测预警，组织复评。`);
  await bureau.getByLabel(park.park).check();
  await b.submit(bureau, '启动复评');
  await b.step(bureau, `${park.tag}-re-review`, '已启动复评，共 1 个园区。', `${park.park}：预警`, ...park.finding);
  const section = bureau.locator('section', { hasText: park.park });
  await section.getByRole('radio', { name: '责令限期整改' }).check();
  await section.getByLabel('整改期限').fill(deadline);
  await Promise.all([
    bureau.waitForNavigation({ waitUntil: 'load' }),
    section.getByRole('button', { name: /^作出结论/ }).click(),
  ]);
  await b.step(bureau, `${park.tag}-rectification-ordered`, `已责令${park.park}限期整改，期限 ${deadline}。`, '结论：限期整改');
  await b.visit(bureau, `/t/${T}/parks`);
  await b.mustSeeInRow(bureau, park.number, '整改中');
  await b.step(bureau, `${park.tag}-register-rectifying`, park.park, '整改中');
  for (const p of [operator, county, bureau]) await p.context().close();
}

/// Later: the operator answers the order with evidence; the bureau accepts the rectification.
export async function rectification(park) {
  const T = park.slug;
  const operator = await b.person(`${park.city}·园区运营机构`);
  await b.signIn(operator, T, ...park.operator);
  await b.mustSeeInRow(operator, park.number, '整改中');
  await b.step(operator, `${park.tag}-operator-rectifying`, park.park);
  await b.follow(operator, operator.locator('tr', { hasText: park.number }).getByRole('link', { name: park.park }));
  await b.step(operator, `${park.tag}-rectification-notice`, '限期整改通知（整改中）', `整改期限：${deadline}`, '整改中');
  await operator.getByLabel('整改报告').fill('1. 已与重点客户签订2027年第一季度订单，交易额恢复增长；\n2. 新引进跨境电商企业2家并完成备案；\n3. 建立月度数据监测和报送制度。');
  await operator.getByLabel('佐证材料').setInputFiles([`${fixtures}/documents/licence.pdf`, `${fixtures}/documents/plan.png`]);
  await b.submit(operator, '提交整改报告');
  await b.step(operator, `${park.tag}-rectification-answered`, '整改报告已提交，等待市商务局验收。', '第 1 次整改报告', 'licence.pdf', 'plan.png');

  const bureau = await b.person(`${park.city}·市商务局`);
  await b.signIn(bureau, T, park.bureau);
  await b.follow(bureau, bureau.getByRole('link', { name: '动态管理' }).first());
  await b.mustSeeInRow(bureau, park.park, '整改中', '预警');
  await b.step(bureau, `${park.tag}-dashboard-rectifying`, '持有称号的园区');
  await b.follow(bureau, bureau.getByRole('link', { name: park.park, exact: true }).first());
  await b.step(bureau, `${park.tag}-park-rectifying`, park.park, '整改中', '已提交整改报告，待验收');
  await b.follow(bureau, bureau.getByRole('link', { name: `期限 ${deadline}` }));
  await b.step(bureau, `${park.tag}-rectification-check`, '已提交整改报告，待验收', '第 1 次', 'licence.pdf');
  await bureau.getByRole('radio', { name: '整改到位，验收通过' }).check();
  await b.submit(bureau, '提交');
  await b.step(bureau, `${park.tag}-rectification-accepted`, '整改验收通过，园区恢复为有效。', '整改验收通过');

  await b.visit(operator, park.operatorPark);
  await b.step(operator, `${park.tag}-park-restored`, '称号状态', '有效', '限期整改通知（整改验收通过）', '验收通过');
  await b.visit(operator, `/t/${T}/parks`);
  await b.mustSeeInRow(operator, park.number, '有效', '整改验收通过');
  await b.step(operator, `${park.tag}-register-restored`, park.park);
  for (const p of [operator, bureau]) await p.context().close();
}

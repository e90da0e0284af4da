// The whole procedure, through the pages only, as the people who do it: see README.md (e2e).
// Wenzhou's accreditation (below), then Zhongshan's (zhongshan.mjs), then dynamic management of
// both awarded parks (monitoring.mjs), then a revision of Wenzhou's rules and Huzhou's onboarding
// checklist (rules.mjs), on one server clock.
import * as b from './lib.mjs';
import { zhongshan } from './zhongshan.mjs';
import { quarterlyReport, rectification } from './monitoring.mjs';
import { ruleRevision } from './rules.mjs';
import { administrators } from './platform.mjs';
import path from 'node:path';

const { idIn, uscc } = b;
const T = 'wenzhou';
const fixtures = path.resolve('../tests/fixtures');
const park = '温州鹿城数字贸易跨境电商产业园';
const company = '温州鹿城数贸园区运营管理有限公司';
const operatorLogin = 'lc-shumao';
const operatorPassword = 'Shumao-park-2026!';
const returnReason = '进出口总额应填园区海关监管平台项下的统计数，请核实后重新填报。';
const customsTrade = '46800000';
const objectionGrounds = '据了解，该园区部分入驻企业并未在园区实际经营，申报的入驻企业数量可能不实。';
// Three experts' sheets (the rubric's nine items): totals 88, 87 and 88, mean 87.67.
const rubric = ['发展规划科学', '基础设施先进', '入驻跨境企业数', '跨境电商年进出口总额', '管理运营规范',
  '配套服务完善', '活动开展和人才引育', '提升合规经营能力', '资料报送'];
const sheets = [
  [13, 14, 13, 14, 9, 17, 3, 3, 2],
  [12, 13, 14, 13, 8, 18, 3, 4, 2],
  [14, 13, 13, 14, 9, 16, 4, 3, 2],
].map((scores) => Object.fromEntries(rubric.map((item, i) => [item, scores[i]])));
// The bureau schedules the visit, records it with a photo and submits it for confirmation.
async function inspect(bureau, appId, member) {
  await b.visit(bureau, `/t/${T}/bureau/applications/${appId}`);
  await b.follow(bureau, bureau.getByRole('link', { name: '安排现场考核' }));
  await bureau.getByLabel('考核时间（北京时间）').fill('2026-11-03T09:30');
  await bureau.getByLabel('属地联系人（姓名、单位）').fill('林晓燕（鹿城区商务局）');
  await bureau.getByLabel(member.name).check();
  await b.submit(bureau, '安排现场考核');
  await b.step(bureau, 'inspection-scheduled', '现场考核已安排', member.name, '第四条（三）');
  for (const radio of await bureau.getByRole('radio', { name: '符合', exact: true }).all()) await radio.check();
  await bureau.locator('[id="note-wz.area"]').fill('实地查看一至三层，跨境电商企业使用面积与申报一致。');
  await bureau.getByLabel('其他到场人员').fill('林晓燕（鹿城区商务局）；园区运营管理机构总经理');
  await b.submit(bureau, '保存记录');
  await bureau.getByLabel('照片（JPEG 或 PNG）').setInputFiles(`${fixtures}/documents/site-photo.jpg`);
  await bureau.getByLabel('对应考核内容').selectOption('wz.service_center');
  await bureau.getByLabel('照片说明').fill('园区公共服务中心');
  await b.submit(bureau, '上传照片');
  await b.step(bureau, 'inspection-recorded', '照片已上传', '拍摄于 2026-11-20 10:32');
  await b.submit(bureau, '提交专家确认');
  await b.step(bureau, 'inspection-submitted', '考核记录第 1 版已提交', '待专家确认');
  await b.follow(bureau, bureau.getByRole('link', { name: '打印（A4）' }));
  await b.step(bureau, 'inspection-print', '现场考核记录表', '实地查看一至三层');
}

// A paper sheet entered twice, by two officials, blind to each other; they must agree.
async function enterOnPaper(bureau, appId, member, scores) {
  await b.visit(bureau, `/t/${T}/bureau/applications/${appId}`);
  const link = bureau.getByRole('link', { name: '代录纸质评分表' });
  const row = bureau.locator('tr', { hasText: member.name }).filter({ has: link });
  await b.follow(bureau, row.getByRole('link', { name: '代录纸质评分表' }));
  const page = new URL(bureau.url()).pathname;
  const fill = async (who, sheet) => {
    for (const [item, score] of Object.entries(sheet)) {
      await who.getByLabel(item, { exact: true }).fill(String(score));
    }
    await who.getByLabel('总体评价（照录）').fill('园区定位清晰，企业集聚度较高，公共服务体系完善。');
  };
  await fill(bureau, scores);
  await bureau.getByLabel('专家签字的纸质评分表（扫描件）').setInputFiles(`${fixtures}/documents/licence.pdf`);
  await b.submit(bureau, '保存录入');
  await b.step(bureau, 'paper-first-entry', '本次录入已保存', '陈立新 录入于');
  const second = await b.person('市商务局第二录入人');
  await b.signIn(second, T, 'wz-bureau2');
  await b.visit(second, page);
  await b.step(second, 'paper-second-entry', '代录纸质评分表', member.name, '陈立新 录入于');
  await fill(second, scores);
  await b.submit(second, '保存录入');
  await b.step(second, 'paper-submitted', '两次录入一致', '已提交（纸质代录）', '纸质评分表扫描件');
  await second.context().close();
}

const callTitle = '关于组织申报2026年度第二批市级跨境电子商务产业园区的通知';

// A fixed start, so the calendar (and the publicity window) is the same whatever day CI runs:
// Monday 2026-11-02, 09:00 in Shanghai.
b.setClock('2026-11-02T09:00:00+08:00');
await b.launch();
try {
  const wz = await wenzhou(); // 2026-11-02 … 11-10
  const zs = await zhongshan(); // 2026-11-10 … 11-18
  // Dynamic management: the report for 2026 Q4 falls due on 2027-01-20 (20 days after the
  // quarter); the rectification is answered three weeks later.
  b.setClock('2027-01-20T09:00:00+08:00');
  for (const awarded of [wz, zs]) await quarterlyReport(awarded);
  b.setClock('2027-02-10T10:00:00+08:00');
  for (const awarded of [wz, zs]) await rectification(awarded);
  // Last, so that the revised rules apply to no call the walkthrough still needs.
  await ruleRevision();
  await administrators();
} finally {
  b.saveFindings();
  await b.close();
}

/// Wenzhou, from the call to the certificate; returns what dynamic management needs.
async function wenzhou() {
  // 1. The bureau drafts a call and publishes it.
  const bureau = await b.person('市商务局');
  await b.signIn(bureau, T, 'wz-bureau');
  await b.visit(bureau, `/t/${T}/bureau/calls/new`);
  await bureau.getByLabel('通知标题').fill(callTitle);
  await bureau.getByLabel('认定规则版本').selectOption({ label: '温州市跨境电子商务产业园区认定 第1版' });
  await bureau.getByLabel('开始时间（北京时间）').fill('2026-11-02T08:00');
  await bureau.getByLabel('截止时间（北京时间）').fill('2026-11-20T17:00');
  await bureau.getByLabel('通知正文').fill('各县（市、区）商务主管部门：\n请组织辖区内园区运营管理机构在线申报。');
  await b.submit(bureau, '保存草稿');
  await b.step(bureau, 'call-draft', callTitle, '草稿');
  await bureau.getByLabel('上传通知正式文件或其他附件').setInputFiles(`${fixtures}/documents/licence.pdf`);
  await b.submit(bureau, '上传');
  await b.mustSee(bureau, 'licence.pdf');
  await b.submit(bureau, '发布申报通知');
  await b.step(bureau, 'call-published', '已发布');
  const callId = idIn(bureau.url(), 'calls');

  // 2. The park's operator finds the call on the city's page and registers.
  const operator = await b.person('园区运营机构');
  await b.visit(operator, `/t/${T}`);
  await operator.getByRole('link', { name: callTitle }).first().click();
  await b.step(operator, 'public-call', callTitle, '2026-11-20 17:00');
  await b.visit(operator, `/t/${T}/register`);
  await operator.getByLabel('运营管理机构名称').fill(company);
  // A mistyped check character first: the message is next to the field and announced with it.
  const code = uscc('91330302MA2L8K7Q3');
  const mistyped = code.slice(0, 17) + (code[17] === '0' ? '1' : '0');
  await operator.getByLabel('统一社会信用代码').fill(mistyped);
  await operator.getByLabel('所在县（市、区）').selectOption({ label: '鹿城区' });
  await operator.getByLabel('注册地址').fill('温州市鹿城区学院中路188号');
  await operator.getByLabel('法定代表人').fill('陈立群');
  await operator.getByLabel('联系人').fill('郑晓雯');
  await operator.getByLabel('联系电话').fill('0577-88990011');
  await operator.getByLabel('账号').fill(operatorLogin);
  await operator.getByLabel('姓名').fill('郑晓雯');
  await operator.getByLabel('密码', { exact: true }).fill(operatorPassword);
  await operator.getByLabel('确认密码').fill(operatorPassword);
  await b.submit(operator, '注册');
  await b.step(operator, 'registration-error', '统一社会信用代码校验位不正确');
  const field = await b.fieldState(operator, '统一社会信用代码');
  if (!field.invalid || !field.description.includes('校验位') || field.value !== mistyped) {
    throw new Error(`the USCC error is not announced with the field: ${JSON.stringify(field)}`);
  }
  if ((await operator.getByLabel('运营管理机构名称').inputValue()) !== company) throw new Error('the form lost what was typed');
  await operator.getByLabel('统一社会信用代码').fill(code);
  await operator.getByLabel('密码', { exact: true }).fill(operatorPassword);
  await operator.getByLabel('确认密码').fill(operatorPassword);
  await b.submit(operator, '注册');
  await b.step(operator, 'operator-registered', company);

  // 3. It signs in and opens an application under the call.
  await b.signInByKeyboard(operator, T, operatorLogin, operatorPassword);
  await b.step(operator, 'operator-home', company, callTitle);
  await b.submit(operator, '新建申报', operator.locator(`form[action$="/calls/${callId}/apply"]`));
  await b.step(operator, 'application-new', '申报表和申报书');
  const appId = idIn(operator.url(), 'applications');
  const app = `/t/${T}/operator/applications/${appId}`;

  // 4. The roster of enterprises (附件3) comes from the operator's spreadsheet.
  await b.visit(operator, `${app}/roster`);
  await operator.getByLabel('名录文件').setInputFiles(`${fixtures}/roster/wenzhou-25.xlsx`);
  await b.submit(operator, '导入');
  await b.step(operator, 'roster-imported', '已导入 25 家企业');
  const roster = await rosterFigures(operator);

  // 5. The application form and report (申报表、申报书), with counts that agree with the roster.
  await operator.getByRole('link', { name: '申报表和申报书' }).click();
  await fillApplicationForm(operator, roster);
  await b.submit(operator, '保存草稿');
  await b.step(operator, 'form-saved', '已保存');

  // 6. Documents, then submission to the county.
  await b.visit(operator, app);
  for (const [category, file] of [
    ['营业执照（统一社会信用代码证）复印件', 'documents/licence.pdf'],
    ['申报书（盖章扫描件）', 'documents/licence.pdf'],
    ['佐证材料', 'documents/plan.png'],
  ]) {
    await operator.getByLabel('材料类别').selectOption({ label: category });
    await operator.getByLabel('文件', { exact: true }).setInputFiles(`${fixtures}/${file}`);
    await b.submit(operator, '上传');
  }
  await b.step(operator, 'documents-uploaded', '申报材料已齐全');
  await b.submit(operator, '提交申报');
  await b.step(operator, 'submitted', '第 1 版', '导入企业名录', '草稿 → 已提交');
  // The version as submitted prints as the 申报表 and 申报书, with the boxes to sign and seal.
  await b.follow(operator, operator.getByRole('link', { name: '第 1 版' }).first());
  await b.step(operator, 'version-1', '第 1 版', '打印申报材料（A4）');
  await b.follow(operator, operator.getByRole('link', { name: '打印申报材料（A4）' }));
  await b.step(operator, 'version-1-print', '附件1', '温州市跨境电子商务产业园区申报表', '法定代表人签字',
    '温州市跨境电子商务产业园区申报书', '加盖单位公章', '入驻企业名录（附件3）');

  // 7. The county (鹿城区) returns it: the trade figure must be the customs statistics.
  const county = await b.person('鹿城区商务局');
  await b.signIn(county, T, 'wz-county-lucheng');
  await b.step(county, 'county-queue', '待初审（1）', park);
  await county.getByRole('link', { name: park }).click();
  await b.step(county, 'county-review', park, '第四条（四）', '不符合');
  await county.getByRole('radio', { name: '退回修改' }).check();
  await county.getByLabel('意见说明').fill(returnReason);
  await b.submit(county, '提交意见');
  await b.mustSeeInRow(county, park, '退回修改');
  await b.step(county, 'county-returned', '已退回申报单位修改');

  // 8. The operator sees why, corrects the figure and submits a second version.
  await b.visit(operator, app);
  await b.step(operator, 'operator-returned', returnReason);
  await operator.getByRole('link', { name: '申报表和申报书' }).click();
  await operator.getByLabel('2025年跨境电商进出口总额（美元）').fill(customsTrade);
  await b.submit(operator, '保存草稿');
  await b.visit(operator, app);
  await b.submit(operator, '提交申报');
  await b.step(operator, 'resubmitted', '第 2 版');

  // 9. The county attests what only it can check and recommends, with its sealed letter.
  await b.visit(county, `/t/${T}/county/applications/${appId}`);
  await b.mustSee(county, '第 2 版');
  await county.getByRole('radio', { name: '推荐', exact: true }).check();
  for (const box of await county.getByRole('checkbox').all()) await box.check();
  await county.getByLabel('意见说明').fill('经核实，该园区符合认定条件，同意推荐。');
  await county.getByLabel('推荐意见（加盖公章的扫描件）').setInputFiles(`${fixtures}/documents/licence.pdf`);
  await b.submit(county, '提交意见');
  await b.mustSeeInRow(county, park, '已报送', '2');
  await b.step(county, 'county-recommended', '初审意见已报送市商务局');

  // 10. The bureau's formal check: it sees both opinions and what changed between versions.
  await b.visit(bureau, `/t/${T}/bureau/applications/${appId}`);
  await b.step(bureau, 'bureau-check', '属地初审：推荐（第 2 版', returnReason, '与第 1 版相比的修改', '46,800,000');
  await bureau.getByRole('radio', { name: '受理，进入评审' }).check();
  await b.submit(bureau, '提交意见');
  await b.mustSeeInRow(bureau, park, '评审中');
  await b.step(bureau, 'bureau-accepted', '已受理');

  // 11. A panel of three is drawn by lot from the expert pool, with a seed read out on site.
  await bureau.getByRole('link', { name: '专家评审与结果' }).click();
  await bureau.getByLabel(`${park}（鹿城区）`).check();
  await bureau.getByLabel('评审组名称').fill('2026年第二批评审组');
  await bureau.getByLabel('评审组人数').fill('3');
  await bureau.getByLabel('抽签种子').fill('20261102-0815');
  await b.submit(bureau, '抽取');
  await b.step(bureau, 'panel-drawn', '2026年第二批评审组', '20261102-0815', '回避');
  const members = await bureau.locator('table', { hasText: '席位' }).first().locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => ({ name: tr.cells[1].innerText.trim(), login: tr.cells[3].innerText.trim() })));
  if (members.length !== 3) throw new Error(`a panel of 3 was drawn, the page lists ${members.length}`);

  // 11a. The first member visits the park with the bureau (现场考核, 第六条（四）): a line per
  // manual check and per thing seen on site, a photo, who was there; then the member confirms.
  await inspect(bureau, appId, members[0]);

  // 12. Each expert declares no conflict, then scores the rubric independently and submits;
  // the third scores on paper at the review meeting, and two officials enter the sheet (代录).
  for (const [i, member] of members.entries()) {
    if (i === 2) {
      await enterOnPaper(bureau, appId, member, sheets[i]);
      continue;
    }
    if (!/^wz-expert\d$/.test(member.login)) throw new Error(`${member.name} has no demo account: ${member.login}`);
    const expert = await b.person(`专家${member.name}`);
    await b.signIn(expert, T, member.login);
    // The to-do list leads to the invitation, which the expert accepts before the reply date.
    await b.follow(expert, expert.getByRole('link', { name: '待回复评审邀请', exact: true }));
    if (i === 0) await b.step(expert, 'expert-invitation', '2026年第二批评审组', '请于此日前回复', '谢绝原因');
    await b.submit(expert, '接受邀请');
    await b.mustSeeInRow(expert, '2026年第二批评审组', '已接受');
    if (i === 0) {
      await b.follow(expert, expert.getByRole('link', { name: '待确认现场考核记录', exact: true }));
      await b.step(expert, 'expert-inspection', '现场考核记录', '园区公共服务中心', '拍摄于');
      await b.submit(expert, '确认考核记录（第 1 版）');
      await b.step(expert, 'expert-inspection-confirmed', '考核记录已定稿');
      await b.visit(expert, `/t/${T}/expert`);
    }
    await expert.locator('table', { hasText: '回避声明' }).getByRole('link', { name: park, exact: true }).click();
    await expert.getByRole('radio', { name: '无利害关系，参加评审' }).check();
    await b.submit(expert, '提交声明');
    const scores = sheets[i];
    for (const [item, score] of Object.entries(scores)) {
      await expert.getByLabel(item, { exact: true }).fill(String(score));
    }
    await expert.getByLabel('总体评价').fill('园区定位清晰，企业集聚度较高，公共服务体系完善。');
    const total = Object.values(scores).reduce((a, s) => a + s, 0);
    await b.submit(expert, '提交评分（提交后锁定）');
    await b.step(expert, `expert-${i + 1}-scored`, String(total));
    await expert.context().close();
  }

  // 13. The ranked results, then the bureau's decision to shortlist the park.
  await b.visit(bureau, `/t/${T}/bureau/calls/${callId}/review`);
  await b.mustSeeInRow(bureau, park, '87.67');
  await b.step(bureau, 'ranked-results', '评审结果', park);
  await bureau.getByRole('link', { name: '打印评分汇总表' }).click();
  await b.step(bureau, 'score-sheet-print', '专家评审评分汇总表', '评审专家签名', ...members.map((m) => m.name));
  await b.printsOnA4(bureau, 'score-sheet', { landscape: true });
  await b.visit(bureau, `/t/${T}/bureau/applications/${appId}`);
  await bureau.getByRole('radio', { name: '拟认定' }).check();
  await b.submit(bureau, '提交意见');
  await b.step(bureau, 'shortlisted', '拟认定');

  // 14. Publicity: published Monday 2026-11-02, five working days, 11-03 to 11-09.
  await b.visit(bureau, `/t/${T}/bureau/calls/${callId}/publicity`);
  await b.step(bureau, 'publicity-form', '公示名单（1 个）', park);
  await bureau.getByLabel('联系人及电话').fill('市商务局电子商务处，电话：0577-88960000');
  await b.submit(bureau, '发布公示');
  await b.step(bureau, 'publicity-published', '公示已发布', park, '2026年11月3日', '2026年11月9日');
  const noticePath = new URL(bureau.url()).pathname;
  const noticeNo = await b.textMatching(bureau, /公示〔2026〕\d+号/);

  // 15. A member of the public objects, on the second day of the window.
  b.setClock('2026-11-04T10:00:00+08:00');
  const citizen = await b.person('公众');
  await b.visit(citizen, `/t/${T}/publicity`);
  await b.mustSeeInRow(citizen, noticeNo, '公示中');
  await b.follow(citizen, citizen.locator('tr', { hasText: noticeNo }).getByRole('link').first());
  await b.step(citizen, 'public-notice', park, '公示期内');
  await citizen.getByRole('link', { name: '提出异议' }).click();
  await citizen.getByLabel('异议针对的园区').selectOption({ label: `${park}（${company}）` });
  await citizen.getByLabel('真实姓名').fill('张明');
  await citizen.getByLabel('电话或电子邮箱').fill('13800001111');
  await citizen.getByLabel('异议事实和理由').fill(objectionGrounds);
  await citizen.getByLabel('证据材料（可选）').setInputFiles(`${fixtures}/documents/plan.png`);
  await b.submit(citizen, '提交异议');
  await b.step(citizen, 'objection-filed', '案件编号');
  const caseNo = (await citizen.locator('.case-no').innerText()).trim();

  // 16. The bureau investigates with someone who did not review the park, and dismisses it.
  await b.visit(bureau, `/t/${T}/bureau/objections`);
  await b.mustSeeInRow(bureau, caseNo, park);
  await bureau.getByRole('link', { name: caseNo }).click();
  await b.step(bureau, 'objection-case', objectionGrounds, 'plan.png');
  await bureau.getByLabel('调查人员').selectOption({ index: 1 });
  await b.submit(bureau, '开始调查复审');
  await bureau.getByRole('radio', { name: '异议不成立' }).check();
  await bureau.getByLabel('调查复审情况').fill('经现场核查园区入驻企业名录和海关监管平台数据，入驻企业均实际经营，申报数据属实。');
  await bureau.getByLabel('处理理由（异议人可见）').fill('经调查核实，异议所述情况与事实不符，异议不成立。');
  await b.submit(bureau, '作出结论');
  await b.step(bureau, 'objection-dismissed', '异议不成立');
  await b.visit(citizen, `/t/${T}/objections/status?case=${caseNo}`);
  await b.step(citizen, 'objection-status', '异议不成立', '经调查核实，异议所述情况与事实不符');

  // 17. The window closes (the server's job closes it); the bureau awards the title.
  b.setClock('2026-11-10T09:00:00+08:00');
  await b.visit(citizen, noticePath);
  for (let i = 0; i < 20 && !(await citizen.locator('body').innerText()).includes('公示期已结束'); i++) {
    await citizen.waitForTimeout(500);
    await citizen.reload();
  }
  await b.step(citizen, 'publicity-closed', '公示期已结束');
  await b.visit(bureau, `/t/${T}/bureau/applications/${appId}`);
  await bureau.getByRole('radio', { name: '认定', exact: true }).check();
  await b.submit(bureau, '提交意见');
  await b.step(bureau, 'awarded', '已认定，证书编号');
  const number = (await bureau.locator('body').innerText()).match(/温商务跨园〔2026〕\d{3}号/)[0];

  // 18. The park is on the public register, with its certificate.
  await b.visit(citizen, `/t/${T}/parks`);
  await b.mustSeeInRow(citizen, park, number, '有效', company, '2026-11-10', '2029-11-09');
  await b.step(citizen, 'public-register', park);
  await b.printsOnA4(citizen, 'register');
  await citizen.getByRole('link', { name: number }).click();
  await b.step(citizen, 'certificate', number, park, '有效期至', '2029年11月9日');

  for (const p of [bureau, operator, county, citizen]) await p.context().close();
  return {
    slug: T,
    tag: 'wz',
    city: '温州',
    park,
    number,
    operator: [operatorLogin, operatorPassword],
    county: 'wz-county-lucheng',
    bureau: 'wz-bureau',
    currency: '美元',
    // Q4 2026: USD 5,000,000 a quarter is 20,000,000 a year, short of 第四条（四）'s 40,000,000;
    // the counts, shares and events meet 第四条.
    quarter: {
      本季度跨境电商进出口额: '5000000',
      季末入驻企业总数: '26',
      跨境电商经营企业: '12',
      跨境电商平台企业: '4',
      跨境电商支付企业: '2',
      '跨境电商物流、供应链企业': '3',
      其他跨境电商企业: '2',
      registered: '22',
      其中本季度已开展业务的备案企业: '18',
      本季度自办跨境电商活动: '3',
      本季度与商务部门: '1',
    },
    finding: ['第四条（四）', '20,000,000'],
  };
}

/// The roster's figures, read off its table, for the form's declared counts.
async function rosterFigures(page) {
  const rows = await page.locator('table.data tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.cells].map((td) => td.innerText.trim())),
  );
  const header = await page.locator('table.data thead th').allInnerTexts();
  const col = (name) => header.findIndex((h) => h.includes(name));
  const [type, filed, trade] = [col('企业类型'), col('备案'), col('进出口额')];
  const count = (f) => String(rows.filter(f).length);
  return {
    enterprises: String(rows.length),
    cbec: count((r) => r[type] !== '非跨境电商'),
    operating: count((r) => r[type] === '经营型'),
    platform: count((r) => r[type] === '平台型'),
    payment: count((r) => r[type] === '支付型'),
    logistics: count((r) => r[type] === '物流供应链型'),
    other: count((r) => r[type] === '其他'),
    registered: count((r) => r[filed] === '是'),
    trade: String(rows.reduce((sum, r) => sum + Number(r[trade]), 0)),
  };
}

async function fillApplicationForm(page, roster) {
  const fields = {
    园区名称: park,
    批准设立部门: '鹿城区人民政府',
    设立时间: '2020-03-18',
    投入运营日期: '2020-09-01',
    园区地址: '温州市鹿城区学院中路188号',
    '规划面积（平方米）': '48000',
    '建筑面积（平方米）': '35200',
    '实际使用面积（平方米）': '26800',
    '直接用于跨境电商企业的使用面积（平方米）': '7600',
    入驻企业总数: roster.enterprises,
    入驻跨境电商企业数: roster.cbec,
    跨境电商经营企业数: roster.operating,
    跨境电商平台企业数: roster.platform,
    跨境电商支付企业数: roster.payment,
    跨境电商物流供应链企业数: roster.logistics,
    跨境电商其他类型企业数: roster.other,
    在温州综试区线上服务平台备案企业数: roster.registered,
    '2025年园区自办跨境电商相关活动（场）': '12',
    '2025年与商务主管部门、各类平台联合开展跨境电商相关活动（场）': '4',
    '2025年跨境电商进出口总额（美元）': roster.trade,
    法定代表人姓名: '陈立群',
    法定代表人手机: '13905770188',
    业务负责人姓名: '郑晓雯',
    业务负责人职务: '园区运营部经理',
    业务负责人手机: '13805770166',
    业务负责人邮箱: 'zhengxw@example.com',
    '一、基本情况': `${park}位于鹿城区学院中路，由${company}统一运营，现有入驻企业${roster.enterprises}家。`,
    '二、1．': '园区纳入鹿城区跨境电商产业发展规划，功能定位为数字贸易和跨境电商集聚区。',
    '二、2．': `园区已集聚跨境电商企业${roster.cbec}家，2025年新孵化企业6家。`,
    '二、3．': '建成跨境电商公共服务中心，提供通关、结汇、物流等一站式服务。',
    '二、4．': '与温州综试区线上服务平台对接，按月报送园区数据。',
    '二、5．': '配套直播基地、培训教室和共享仓储，面向全区企业开放。',
    '二、6．': '运营管理机构设专职团队12人，制定入驻、考核和退出制度。',
    '三、下一步发展计划': '力争三年内入驻跨境电商企业达到40家，年进出口额翻一番。',
  };
  for (const [label, value] of Object.entries(fields)) {
    await page.getByLabel(label).fill(value);
  }
  await page.getByLabel('园区类型').selectOption({ label: '产业聚集型' });
  for (const service of ['交易平台服务', '通关服务', '结汇服务', '物流服务', '企业孵化服务']) {
    await page.getByLabel(service, { exact: true }).check();
  }
  await page.getByRole('radio', { name: '是', exact: true }).check();
}

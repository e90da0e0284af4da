// A city revises its measures (issue 20): Wenzhou's bureau drafts a revision of its rule set,
// mistypes a threshold and sees the message next to it, corrects it, reads the difference from
// the version in force, previews which past submissions would get another verdict, and activates
// it as version 2. Then Huzhou's bureau, half way through onboarding, sees its checklist.
import * as b from './lib.mjs';

export async function ruleRevision() {
  const bureau = await b.person('温州·市商务局（规则修订）');
  await b.signIn(bureau, 'wenzhou', 'wz-bureau');
  await b.visit(bureau, '/t/wenzhou/bureau/rulesets');
  await Promise.all([
    bureau.waitForNavigation({ waitUntil: 'load' }),
    bureau.getByRole('button', { name: /以此修订.*温州市跨境电子商务产业园区认定 第1版/ }).click(),
  ]);
  await b.step(bureau, 'rules-draft', '规则草稿', '尚未修改', '第四条（三）');
  // wz.area (第四条（三）): a threshold typed with a unit is refused next to the field.
  const area = bureau.locator('#check\\.2\\.threshold');
  await area.fill('8000平方米');
  await b.submit(bureau, '保存草稿');
  await b.step(bureau, 'rules-draft-error', '请修改下列 1 处错误', '请填写数字');
  if ((await area.inputValue()) !== '8000平方米') throw new Error('the typed threshold was not kept');
  await area.fill('8000');
  await bureau.getByLabel('修订说明（启用后显示在版本列表中）').fill('园区直接用于跨境电商企业的使用面积门槛提高到8000平方米');
  await b.submit(bureau, '保存草稿');
  await b.step(bureau, 'rules-draft-diff', '草稿已保存', '≥ 3000 m²', '≥ 8000 m²');
  await b.follow(bureau, bureau.getByRole('link', { name: '预览影响并启用' }));
  await b.step(bureau, 'rules-preview', '结论或等级将改变', '符合 → 不符合（要求 ≥ 8000，实际 6200）');
  await b.submit(bureau, '启用为新版本');
  await b.step(bureau, 'rules-version-2', '已启用为第 2 版', '当前启用', '≥ 8000 m²');

  const huzhou = await b.person('湖州·市商务局（开通中）');
  await b.signIn(huzhou, 'huzhou', 'hz-bureau');
  await b.step(huzhou, 'huzhou-onboarding', '开通向导', '已有 5 个辖区', '有 1 份规则草稿待预览、启用', '专家库中还没有专家');
}

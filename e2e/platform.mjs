// The platform's three administrators (三员分立), each once: the system administrator's tenants,
// the security administrator's policy, the audit administrator's reading of the platform chain.
import * as b from './lib.mjs';

export async function administrators() {
  const sys = await b.person('系统管理员');
  await adminSignIn(sys, 'sysadmin');
  await b.step(sys, 'sysadmin-home', '平台管理', '湖州市商务局');
  const sec = await b.person('安全管理员');
  await adminSignIn(sec, 'secadmin');
  await b.step(sec, 'secadmin-home', '安全管理', '安全策略', '当前设置低于等保三级要求：口令定期更换', '低于三级要求');
  const audit = await b.person('审计管理员');
  await adminSignIn(audit, 'auditadmin');
  await b.step(audit, 'auditadmin-home', '审计管理', '平台（管理员操作）', '哈希链和 HMAC-SM3 校验完整', '平台系统管理员');
}

async function adminSignIn(page, login) {
  await b.visit(page, '/admin/login');
  await page.getByLabel('账号').fill(login);
  await page.getByLabel('密码').fill(b.password);
  await Promise.all([page.waitForURL((u) => !u.pathname.endsWith('/login')), page.getByRole('button', { name: '登录' }).click()]);
}

// Ad-hoc screenshots (not part of CI): node shots.mjs tenant:login:path ...
import { chromium } from 'playwright-core';
const base = process.env.PARKCERT_URL ?? 'http://127.0.0.1:18081';
const out = process.env.SHOTS ?? '/tmp/shots';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
for (const spec of process.argv.slice(2)) {
  const [tenant, login, ...rest] = spec.split(':');
  const path = rest.join(':');
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/t/${tenant}/login`);
  await page.getByLabel('账号').fill(login);
  await page.getByLabel('密码').fill('parkcert-demo-2026');
  await Promise.all([page.waitForURL((u) => !u.pathname.endsWith('/login')), page.getByRole('button', { name: '登录' }).click()]);
  if (path) await page.goto(`${base}${path}`);
  const name = `${login}${path.replaceAll('/', '_')}.png`;
  await page.screenshot({ path: `${out}/${name}`, fullPage: true });
  console.log(name, page.url());
  await context.close();
}
await browser.close();

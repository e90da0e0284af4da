// The walkthrough's tools: one browser, a context (its own cookies) per person, and a `step`
// that saves what the person saw — a screenshot, the page's HTML as served (for the Nu HTML
// Checker) and axe-core's findings — after checking that the page says what it must.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

export const base = process.env.PARKCERT_URL ?? 'http://127.0.0.1:8181';
export const artifacts = path.resolve(process.env.E2E_ARTIFACTS ?? 'artifacts');
export const password = 'parkcert-demo-2026';
const axeSource = fs.readFileSync(
  new URL('./node_modules/axe-core/axe.min.js', import.meta.url),
  'utf8',
);

fs.rmSync(artifacts, { recursive: true, force: true });
for (const dir of ['screenshots', 'pages']) {
  fs.mkdirSync(path.join(artifacts, dir), { recursive: true });
}

let browser;
let stepNo = 0;
let lastStepAt = Date.now();
export const findings = [];

export async function launch() {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    // The machine has no network beyond loopback: without these, Chromium keeps trying to
    // reach Google's hosts.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function close() {
  await browser?.close();
}

/// One person at one browser. `bypassCSP` lets axe-core be injected: the pages' policy allows
/// no inline script, which is the point of it.
export async function person(name) {
  const context = await browser.newContext({
    bypassCSP: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.person = name;
  page.on('response', (response) => {
    if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) {
      page.lastDocument = response;
    }
  });
  // Confirmations (“提交后锁定”) are accepted, as the person means to go on.
  page.on('dialog', (dialog) => dialog.accept());
  page.on('pageerror', (e) => {
    throw new Error(`${name}: script error on ${page.url()}: ${e.message}`);
  });
  return page;
}

export async function signIn(page, tenant, login, secret = password) {
  await page.goto(`${base}/t/${tenant}/login`);
  await page.getByLabel('账号').fill(login);
  await page.getByLabel('密码').fill(secret);
  await Promise.all([page.waitForURL((u) => !u.pathname.endsWith('/login')), page.getByRole('button', { name: '登录' }).click()]);
}

/// Signs in with the keyboard alone: Tab to the first field, type, Tab, type, Enter.
export async function signInByKeyboard(page, tenant, login, secret) {
  await page.goto(`${base}/t/${tenant}/login`);
  const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
  for (let presses = 0; (await focused()) !== 'login'; presses++) {
    if (presses > 12) throw new Error('the sign-in field cannot be reached with Tab');
    await page.keyboard.press('Tab');
  }
  await page.keyboard.type(login);
  await page.keyboard.press('Tab');
  if ((await focused()) !== 'password') throw new Error('Tab from 账号 does not lead to 密码');
  await page.keyboard.type(secret);
  await Promise.all([page.waitForURL((u) => !u.pathname.endsWith('/login')), page.keyboard.press('Enter')]);
}

/// What a screen reader announces for the field labelled `label`: whether it is marked invalid,
/// the text its aria-describedby points at, and the value it kept.
export async function fieldState(page, label) {
  const field = page.getByLabel(label, { exact: true });
  return field.evaluate((el) => ({
    invalid: el.getAttribute('aria-invalid') === 'true',
    description: (el.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .map((id) => document.getElementById(id)?.innerText ?? '')
      .join(' '),
    value: el.value,
  }));
}

/// Clicks a submit button (by its text) and waits for the page it leads to.
export async function submit(page, buttonName, scope = page) {
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    scope.getByRole('button', { name: buttonName, exact: true }).click(),
  ]);
}

export async function visit(page, pathname) {
  const response = await page.goto(base + pathname);
  if (!response.ok()) throw new Error(`${page.person}: ${pathname} answered ${response.status()}`);
  return response;
}

/// Fails unless the page's visible text holds every one of `texts`.
export async function mustSee(page, ...texts) {
  const body = await page.locator('body').innerText();
  for (const text of texts) {
    if (!body.includes(text)) {
      throw new Error(`${page.person} on ${page.url()} should see “${text}”; the page says:\n${body.slice(0, 2000)}`);
    }
  }
}

/// Fails unless the table row that mentions `row` also holds every one of `texts`.
export async function mustSeeInRow(page, row, ...texts) {
  const line = await page.locator('tr', { hasText: row }).first().innerText();
  for (const text of texts) {
    if (!line.includes(text)) throw new Error(`${page.person} on ${page.url()}: the row of “${row}” should say “${text}”; it says: ${line}`);
  }
}

export async function mustNotSee(page, ...texts) {
  const body = await page.locator('body').innerText();
  for (const text of texts) {
    if (body.includes(text)) throw new Error(`${page.person} on ${page.url()} should not see “${text}”`);
  }
}

/// Words of one city that must not appear on the other's pages (as in the crawl test): each
/// city's pages speak its own words.
const otherCitysWords = {
  zhongshan: ['温州', '0577-', '鹿城', '综试区线上服务平台', '县（市、区）'],
  wenzhou: ['中山', '0760-', '古镇', '镇街'],
};

/// Records the page as a step of the walkthrough: screenshot, served HTML, axe-core's
/// serious and critical violations.
export async function step(page, title, ...texts) {
  await mustSee(page, ...texts);
  const tenant = new URL(page.url()).pathname.match(/^\/t\/([^/]+)/)?.[1];
  await mustNotSee(page, ...(otherCitysWords[tenant] ?? []));
  stepNo += 1;
  const name = `${String(stepNo).padStart(2, '0')}-${title}`;
  await page.screenshot({ path: path.join(artifacts, 'screenshots', `${name}.png`), fullPage: true });
  const response = page.lastDocument;
  const type = response?.headers()['content-type'] ?? '';
  if (response && type.startsWith('text/html')) {
    fs.writeFileSync(path.join(artifacts, 'pages', `${name}.html`), await response.text());
  }
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  for (const v of result.violations.filter((v) => ['serious', 'critical'].includes(v.impact))) {
    findings.push({
      step: name,
      url: page.url(),
      rule: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
    });
  }
  const now = Date.now();
  console.log(`✓ ${name}  (${page.person}: ${new URL(page.url()).pathname})  ${((now - lastStepAt) / 1000).toFixed(1)}s`);
  lastStepAt = now;
}

/// Prints the page to an A4 PDF (kept with the artifacts) and fails if, laid out for print on
/// the page's A4 sheet less its margins (style.css: 18 mm top and bottom, 15 mm either side),
/// any table is wider than the sheet: a register or a score sheet must not lose its right edge.
export async function printsOnA4(page, title, { landscape = false } = {}) {
  const mm = 96 / 25.4;
  const width = Math.floor(((landscape ? 297 : 210) - 30) * mm);
  const viewport = page.viewportSize();
  await page.emulateMedia({ media: 'print' });
  await page.setViewportSize({ width, height: 1000 });
  const overflowing = await page.evaluate(() =>
    [...document.querySelectorAll('table, .table-scroll')]
      .filter((el) => el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}: ${el.scrollWidth}px`),
  );
  await page.pdf({ path: path.join(artifacts, `${title}.pdf`), preferCSSPageSize: true, printBackground: true });
  await page.emulateMedia({ media: 'screen' });
  await page.setViewportSize(viewport);
  if (overflowing.length) {
    throw new Error(`${page.url()} does not fit A4${landscape ? ' landscape' : ''} (${width}px): ${overflowing.join('; ')}`);
  }
  console.log(`✓ ${title}.pdf fits A4${landscape ? ' landscape' : ''}`);
}

/// Moves the server's clock (PARKCERT_TEST_CLOCK_FILE) to `instant` (RFC 3339).
export function setClock(instant) {
  const file = process.env.PARKCERT_TEST_CLOCK_FILE;
  if (!file) throw new Error('PARKCERT_TEST_CLOCK_FILE is not set');
  fs.writeFileSync(file, `${instant}\n`);
}

export function saveFindings() {
  fs.writeFileSync(path.join(artifacts, 'axe-violations.json'), JSON.stringify(findings, null, 2));
}

/// The id that follows `segment` in a URL: idIn('/t/x/calls/8', 'calls') is 8.
export function idIn(url, segment) {
  const parts = new URL(url).pathname.split('/');
  return Number(parts[parts.indexOf(segment) + 1]);
}

/// A USCC with its GB 32100 check character appended.
export function uscc(first17) {
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...first17].reduce((acc, c, i) => acc + chars.indexOf(c) * weights[i], 0);
  return first17 + chars[(31 - (sum % 31)) % 31];
}

/// The first match of `pattern` in the page's visible text (a certificate or notice number).
export async function textMatching(page, pattern) {
  const found = (await page.locator('body').innerText()).match(pattern);
  if (!found) throw new Error(`${page.person} on ${page.url()}: nothing matches ${pattern}`);
  return found[0];
}

/// Reloads until the page says `text` (a scheduled job's work shows up within seconds).
export async function waitToSee(page, text, tries = 30) {
  for (let i = 0; i < tries && !(await page.locator('body').innerText()).includes(text); i++) {
    await page.waitForTimeout(500);
    await page.reload();
  }
}

/// Follows a link (a locator) and waits for the page it leads to.
export async function follow(page, link) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
}

// A readable document's page in a real browser (Debian's chromium through
// playwright-core): while its conversion runs, the page shows the pages
// stored so far with how far the conversion is; when more are stored (the
// converter, stopped after page 5, is crashed and resumed to page 20) the
// script adds them, their thumbnails and pager lines, without a reload;
// with JavaScript off the page shows what is there and says more is
// coming; no horizontal scrolling at 390 px; axe-core finds nothing
// serious. Run by tests/e2e/browser_progressive.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { launch } from './common.mjs';
import { axeViolations } from './axe.mjs';

const base = process.env.WY_BASE;
const docId = process.env.WY_DOC;
const crash = process.env.WY_CRASH; // a script that crashes the converters
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function open(viewport, opts = {}) {
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport, ...opts });
  const page = await ctx.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(`${base}/doc/${docId}`);
  return page;
}
const count = (page, sel) => page.locator(sel).count();

test('without JavaScript: the stored pages, and word that more are coming', async () => {
  const page = await open({ width: 1366, height: 900 }, { javaScriptEnabled: false });
  assert.equal(await count(page, '.rpages .page'), 5);
  assert.match(await page.locator('#convstatus').innerText(), /正在转换：第5页 \/ 共60页/);
  assert.match(await page.locator('#convstatus noscript').evaluate((n) => n.textContent), /还有页面正在转换/);
  assert.match(await page.locator('#p1 .pager').innerText(), /第1页 \/ 共60页/);
  await page.context().close();
});

test('at 390 px: no horizontal scrolling, nothing serious for axe', async () => {
  const page = await open({ width: 390, height: 844 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(wide, false);
  assert.deepEqual(await axeViolations(page), []);
  await page.context().close();
});

test('pages stored later are added without a reload', async () => {
  const page = await open({ width: 1366, height: 900 });
  assert.equal(await count(page, '.rpages .page'), 5);
  assert.equal(await count(page, '.thumbs a'), 5);
  await page.evaluate(() => { window.wyNoReload = true; });
  execFileSync('bash', [crash]); // resumed from page 6, stopped after page 20
  await page.waitForFunction(() => document.querySelectorAll('.rpages .page').length === 20, null,
    { timeout: 60000 });
  assert.equal(await page.evaluate(() => window.wyNoReload), true, 'the page was reloaded');
  assert.equal(await count(page, '.thumbs a'), 20);
  assert.match(await page.locator('#p20 .pager').innerText(), /第20页 \/ 共60页/);
  assert.match(await page.locator('#p20 img').getAttribute('src'), /^\/blob\/[0-9a-f]{64}$/);
  await page.waitForFunction(() => /第20页/.test(document.querySelector('#convstatus .progress-text').textContent));
  // the reader pages to an added page
  await page.locator('#jump-p').fill('18');
  await page.locator('form.jump button').click();
  await page.waitForFunction(() => /第18页/.test(document.querySelector('.rbar .where').textContent));
  // its text layer comes as for the first pages
  await page.waitForFunction(() => document.querySelectorAll('#p18 .textLayer span').length > 0, null,
    { timeout: 20000 });
  execFileSync('bash', [crash]); // resumed from page 21 to the end
  await page.waitForFunction(() => document.getElementById('convstatus').hidden, null, { timeout: 60000 });
  assert.equal(await count(page, '.rpages .page'), 60);
  assert.equal(await page.evaluate(() => window.wyNoReload), true, 'the page was reloaded');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

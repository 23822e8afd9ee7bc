// What users do, in a real browser (Debian's chromium through
// playwright-core), on a server with its worker: register; upload a Chinese
// DOCX and a PDF at once and watch their progress bars until both are
// ready; favorite one; open its share QR code; from a second account reward
// the uploader and report the document; as admin hide it from the reports
// queue; and then, as a visitor, find its page, its images and its download
// gone (404). Run by tests/e2e/browser_accounts.sh with WY_BASE, WY_DOCX,
// WY_PDF and the admin's WY_ADMIN_PASSWORD set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { shot } from './shot.mjs';

const base = process.env.WY_BASE;
const art = process.env.WY_ARTIFACTS;
let browser;

before(async () => {
  mkdirSync(art, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.WY_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => { await browser?.close(); });

async function register(ctx, name, password) {
  const page = await ctx.newPage();
  await page.goto(base + '/register');
  await page.locator('input[name=name]').fill(name);
  await page.locator('input[name=password]').fill(password);
  await page.locator('input[name=password2]').fill(password);
  await page.locator('form.account button').click();
  await page.waitForURL(base + '/');
  assert.equal(await page.locator('header .myname').innerText(), name);
  return page;
}

async function points(page) {
  await page.goto(base + '/me/points');
  const m = (await page.locator('.meta').innerText()).match(/积分 (\d+)/);
  return Number(m[1]);
}

test('register, upload, favorite, share, reward, report, hide', { timeout: 300000 }, async () => {
  const errors = [];
  const watch = (page) => {
    page.on('pageerror', (e) => errors.push(String(e)));
  };
  // ---- the uploader ----
  const alice = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1100, height: 900 } });
  const page = await register(alice, '爱丽丝', 'alicepass1');
  watch(page);
  const before = await points(page);
  await page.goto(base + '/upload');
  await page.locator('select[name=category]').selectOption('公文与办公/应用文书');
  await page.locator('textarea[name=description]').fill('公文格式范例，用于测试上传。');
  await page.locator('input[type=file]').setInputFiles([process.env.WY_DOCX, process.env.WY_PDF]);
  await page.locator('form#upload button.primary').click();
  const rows = page.locator('#queue li');
  await page.waitForFunction(() => document.querySelectorAll('#queue li').length === 2);
  // each file has its bar; the transfer fills it, then the conversion
  assert.equal(await rows.locator('progress').count(), 2);
  await shot(page, { path: `${art}/upload-progress.png` });
  await page.waitForFunction(
    () => [...document.querySelectorAll('#queue li')].every((li) => li.dataset.status === 'ready'),
    null, { timeout: 240000 });
  for (let i = 0; i < 2; i++) {
    assert.equal(await rows.nth(i).locator('progress').getAttribute('value'), '100');
    assert.match(await rows.nth(i).locator('.state').innerText(), /已完成/);
  }
  await shot(page, { path: `${art}/upload-ready.png` });
  const docxRow = rows.filter({ hasText: '.docx' });
  const href = await docxRow.locator('a').getAttribute('href');
  const docId = href.split('/').pop();
  // both are mine, with their status
  await page.goto(base + '/me/uploads');
  assert.equal(await page.locator('.item .ready').count(), 2);

  // ---- the document: favorite and share ----
  await page.goto(base + href);
  assert.match(await page.locator('.meta').innerText(), /上传人 爱丽丝/); // its owner sees the name
  assert.match(await page.locator('.descr').innerText(), /公文格式范例/);
  const images = await page.locator('.page img').evaluateAll((els) => els.map((e) => e.getAttribute('src')));
  assert.ok(images.length > 0);
  await page.locator('.actions button.fav').click();
  await page.waitForLoadState();
  assert.match(await page.locator('.actions button.fav').innerText(), /已收藏\s*1/);
  await page.locator('#share > summary').click();
  const qr = page.locator('#share img.qr');
  await qr.scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelector('#share img.qr').naturalWidth > 0);
  assert.ok(await qr.isVisible());
  assert.match(await page.locator('#share input').inputValue(), new RegExp(`/doc/${docId}$`));
  await shot(page, { path: `${art}/share-qr.png` });
  await page.goto(base + '/me/favorites');
  assert.equal(await page.locator('.item a').first().getAttribute('href'), `/doc/${docId}`);

  // ---- a reader: reward and report ----
  const bobCtx = await browser.newContext({ locale: 'zh-CN' });
  const bob = await register(bobCtx, 'bob_reader', 'bobpass123');
  watch(bob);
  await bob.goto(base + href);
  // masked for others (a name of three characters keeps only its first)
  const masked = await bob.locator('.meta').innerText();
  assert.match(masked, /上传人 爱\*\*\*\* ·/);
  assert.doesNotMatch(masked, /爱丽丝/);
  await bob.locator('#reward > summary').click();
  await bob.locator('#reward input[name=points]').fill('3');
  await bob.locator('#reward button').click();
  await bob.waitForLoadState();
  await bob.locator('#report > summary').click();
  await bob.locator('#report select[name=reason]').selectOption('广告垃圾');
  await bob.locator('#report textarea[name=detail]').fill('测试举报');
  await bob.locator('#report button').click();
  await bob.waitForLoadState();
  assert.match(await bob.locator('.message').innerText(), /感谢举报/);
  // the uploader got the reward (+3; and 5 for each upload the points rule pays)
  const ledger = await points(page);
  assert.ok(ledger >= before + 3, `points ${before} -> ${ledger}`);
  assert.ok(await page.locator('td', { hasText: '收到打赏' }).count() >= 1);

  // ---- the admin hides it from the reports queue ----
  const adminCtx = await browser.newContext({ locale: 'zh-CN' });
  const admin = await adminCtx.newPage();
  watch(admin);
  await admin.goto(base + '/login');
  await admin.locator('input[name=name]').fill('boss');
  await admin.locator('input[name=password]').fill(process.env.WY_ADMIN_PASSWORD);
  await admin.locator('form.account button').click();
  await admin.goto(base + '/admin/reports');
  const report = admin.locator('table.admin tr', { hasText: '广告垃圾' });
  assert.match(await report.innerText(), /bob_reader/);
  await shot(admin, { path: `${art}/admin-reports.png`, fullPage: true });
  await report.locator('button[value=hide]').click();
  await admin.waitForLoadState();
  await admin.goto(base + '/admin/audit');
  assert.match(await admin.locator('table.admin tr').nth(1).innerText(), /boss\s+hide\s+doc \d+/);

  // ---- a visitor: the page, its images and its download are gone ----
  const anon = await browser.newContext({ locale: 'zh-CN' });
  const v = await anon.newPage();
  const res = await v.goto(`${base}/doc/${docId}`);
  assert.equal(res.status(), 404);
  for (const src of images.slice(0, 3))
    assert.equal((await anon.request.get(base + src)).status(), 404, src);
  assert.equal((await anon.request.get(`${base}/download/${docId}`)).status(), 404);
  assert.equal((await anon.request.get(`${base}/api/v1/doc/${docId}`)).status(), 404);
  // the other upload is still there
  assert.equal((await anon.request.get(`${base}/api/v1/search?q=${encodeURIComponent('公文')}`)).status(), 200);
  assert.deepEqual(errors, []);
  for (const c of [alice, bobCtx, adminCtx, anon]) await c.close();
});

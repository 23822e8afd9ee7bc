// What users do, in a real browser (Debian's chromium through
// playwright-core), on a server with its worker: register; upload a Chinese
// DOCX and a PDF at once and watch their progress bars until both are
// ready; favorite one; open its share QR code; from a second account reward
// the uploader and report the document; as admin hide it from the reports
// queue; and then, as a visitor, find its page, its images and its download
// gone (404). Each of registering, the favorite, the reward and the admin's
// action says it was done (the flash line); my pages and the admin area pass
// axe-core at 1366 and 390 px without scrolling sideways, and the admin area
// in English has no Chinese in its headings and buttons. Run by
// tests/e2e/browser_accounts.sh with WY_BASE, WY_DOCX, WY_PDF and the
// admin's WY_ADMIN_PASSWORD set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launch, register as registerAs } from './common.mjs';
import { shot } from './shot.mjs';
import { axeViolations } from './axe.mjs';

const base = process.env.WY_BASE;
const art = process.env.WY_ARTIFACTS;
let browser;

before(async () => {
  mkdirSync(art, { recursive: true });
  browser = await launch();
});
after(async () => { await browser?.close(); });

async function register(ctx, name, password) {
  const page = await registerAs(ctx, base, name, password);
  assert.equal(await page.locator('header .myname').innerText(), name);
  assert.equal(await flash(page), '注册成功，欢迎');
  return page;
}

// The confirmation the page shows (the frame's flash line), '' when none.
async function flash(page) {
  const f = page.locator('p.flash[role=status]');
  return (await f.count()) ? (await f.innerText()).trim() : '';
}

async function logIn(ctx, name, password) {
  const page = await ctx.newPage();
  await page.goto(base + '/login');
  await page.locator('input[name=name]').fill(name);
  await page.locator('input[name=password]').fill(password);
  await page.locator('form.account button').click();
  await page.waitForURL(base + '/');
  return page;
}

// Whether the page scrolls sideways (its content wider than the window).
async function overflowX(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
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
  await page.locator('#upload-file').setInputFiles([process.env.WY_DOCX, process.env.WY_PDF]);
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
  assert.equal(await page.locator('.mydoc .status.ready').count(), 2);
  assert.deepEqual(await page.locator('.mydoc .status').allInnerTexts(), ['已完成', '已完成']);
  assert.equal(await page.locator('h1').innerText(), '我的上传');

  // ---- the document: favorite and share ----
  await page.goto(base + href);
  assert.match(await page.locator('.meta').innerText(), /上传人 爱丽丝/); // its owner sees the name
  assert.match(await page.locator('.descr').innerText(), /公文格式范例/);
  const images = await page.locator('.page img').evaluateAll((els) => els.map((e) => e.getAttribute('src')));
  assert.ok(images.length > 0);
  await page.locator('.actions button.fav').click();
  await page.waitForLoadState();
  assert.match(await page.locator('.actions button.fav').innerText(), /已收藏\s*1/);
  assert.equal(await flash(page), '已收藏');
  await page.reload();
  assert.equal(await flash(page), '', 'a confirmation is shown once');
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
  assert.equal(await flash(bob), '已打赏 3 积分');
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
  const admin = await logIn(adminCtx, 'boss', process.env.WY_ADMIN_PASSWORD);
  watch(admin);
  await admin.goto(base + '/admin/reports');
  const report = admin.locator('table.admin tr', { hasText: '广告垃圾' });
  assert.match(await report.innerText(), /bob_reader/);
  await shot(admin, { path: `${art}/admin-reports.png`, fullPage: true });
  await report.locator('button[value=hide]').click();
  await admin.waitForLoadState();
  assert.equal(await flash(admin), `已隐藏文档 ${docId}`);
  await admin.goto(base + '/admin/audit');
  assert.match(await admin.locator('table.admin tr').nth(1).innerText(), /boss\s+隐藏\s+文档 \d+/);
  // each document's own category is the one selected in its row, which names it
  await admin.goto(base + '/admin/docs');
  const listed = (await (await admin.request.get(base + '/api/v1/admin/docs')).json()).documents;
  assert.ok(listed.some((d) => d.category), 'an upload has a category');
  for (const d of listed.filter((x) => x.category)) {
    const select = admin.locator(`table.admin tr:has(input[name=id][value="${d.id}"]) select[name=category]`);
    assert.equal(await select.inputValue(), d.category, `document ${d.id}`);
    assert.match(await select.getAttribute('aria-label'), /^《.+》的分类$/);
  }

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

const mePages = ['/me', '/me/uploads', '/me/favorites', '/me/downloads', '/me/points', '/me/recycle', '/me/password'];
const adminPages = ['/admin', '/admin/reports?all=1', '/admin/review', '/admin/docs', '/admin/docs?state=3', '/admin/users',
  '/admin/settings', '/admin/audit', '/admin/ledger?user=1', '/admin/groups'];

test('my pages, log in, register and the admin area: axe-core, 1366 and 390 px', { timeout: 300000 }, async () => {
  // my pages as the uploader of the first test (uploads, a favorite, points)
  const anonCtx = await browser.newContext({ locale: 'zh-CN' });
  const aliceCtx = await browser.newContext({ locale: 'zh-CN' });
  const adminCtx = await browser.newContext({ locale: 'zh-CN' });
  const alice = await logIn(aliceCtx, '爱丽丝', 'alicepass1');
  const admin = await logIn(adminCtx, 'boss', process.env.WY_ADMIN_PASSWORD);
  const anon = await anonCtx.newPage();
  const problems = [];
  for (const width of [1366, 390]) {
    for (const [page, paths] of [[anon, ['/login', '/register']], [alice, mePages], [admin, adminPages]]) {
      await page.setViewportSize({ width, height: 900 });
      for (const path of paths) {
        const res = await page.goto(base + path);
        assert.equal(res.status(), 200, path);
        assert.equal(await page.locator('h1').count(), 1, `${path}: one <h1>`);
        for (const v of await axeViolations(page)) problems.push(`${path} @${width}: ${v}`);
        const over = await overflowX(page);
        if (over > 0) problems.push(`${path} @${width}: scrolls ${over} px sideways`);
        const name = path.replace(/^\//, '').replace(/[^a-z0-9]+/g, '-') || 'home';
        await shot(page, { path: `${art}/${name}-${width}.png`, fullPage: true });
      }
    }
  }
  assert.deepEqual(problems, []);
  for (const c of [anonCtx, aliceCtx, adminCtx]) await c.close();
});

test('the admin area in English: no Chinese in its headings and buttons', { timeout: 120000 }, async () => {
  const ctx = await browser.newContext({ locale: 'en-US' });
  const admin = await logIn(ctx, 'boss', process.env.WY_ADMIN_PASSWORD);
  const han = /[\u3400-\u9fff\uff00-\uffef]/;
  const found = [];
  for (const path of adminPages) {
    await admin.goto(base + path + (path.includes('?') ? '&' : '?') + 'lang=en');
    assert.equal(await admin.locator('html').getAttribute('lang'), 'en');
    const texts = await admin.locator('h1, h2, th, button, nav.tabs a, p.filters a, label, caption, td .state, ' +
      'td .queued, td .converting, td .ready, td .failed, small, ul.admincounts li').allInnerTexts();
    for (const text of texts)
      if (han.test(text)) found.push(`${path}: "${text}"`);
    // a document's title or a user's name is data and may be Chinese: an
    // aria-label that quotes one is checked without the quote
    const labels = await admin.locator('[aria-label]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    for (const label of labels)
      if (han.test(label.replace(/“[^”]*”/g, ''))) found.push(`${path}: aria-label "${label}"`);
  }
  // the English page of settings says what each setting is in English
  await admin.goto(base + '/admin/settings?lang=en');
  assert.equal(await admin.locator('label[for=set-preview_pages]').innerText(), 'Preview pages');
  assert.deepEqual(found, []);
  await ctx.close();
});

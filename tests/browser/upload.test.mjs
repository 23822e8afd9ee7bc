// The upload page, as an uploader uses it (Debian's chromium through
// playwright-core): a file of 0 bytes and one of a type the site does not
// convert are refused in the browser (no request reaches the server); two
// files get their own title, category and price, which the documents
// created carry; a file the converter cannot read and one the server
// refuses at its first bytes say why in plain Chinese, in the error colour;
// no serious accessibility violation, and no horizontal scrolling at 390 px.
// Run by tests/e2e/upload_ui.sh with WY_BASE and WY_FILES (its files) set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { launch, register as registerAs } from './common.mjs';
import { axeViolations } from './axe.mjs';
import { shot } from './shot.mjs';

const base = process.env.WY_BASE;
const art = process.env.WY_ARTIFACTS;
const files = process.env.WY_FILES;
let browser;

before(async () => {
  mkdirSync(art, { recursive: true });
  browser = await launch();
});
after(async () => { await browser?.close(); });

const register = (ctx, name, password) => registerAs(ctx, base, name, password);

// The page's own content: the frame around it (header, footer) is checked
// by the accessibility tests of every page (tests/browser/a11y*.mjs).
const ownViolations = async (page) =>
  (await axeViolations(page)).filter((v) => !/\((footer|header)[^,]*\)$/.test(v));

const rowOf = (page, name) => page.locator('#queue li', { hasText: name });
const settled = (page, n) => page.waitForFunction((n) => {
  const rows = [...document.querySelectorAll('#queue li')].filter((li) => li.querySelector('.filefields') || li.dataset.status === 'error');
  return rows.length === n && rows.every((li) => ['ready', 'failed', 'error'].includes(li.dataset.status));
}, n, { timeout: 180000 });

test('checked in the browser, a title, category and price each, failures in plain Chinese', { timeout: 300000 }, async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
  const page = await register(ctx, 'uploader1', 'uploadpass1');
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const posts = [];
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().includes('/upload')) posts.push(r.url()); });
  await page.goto(base + '/upload');
  assert.deepEqual(await ownViolations(page), []);

  // ---- refused in the browser: nothing is sent ----
  await page.locator('#upload-file').setInputFiles([
    { name: '空文件.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(0) },
    { name: 'setup.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ\x90\x00') },
  ]);
  const empty = rowOf(page, '空文件.pdf');
  assert.equal(await empty.getAttribute('data-status'), 'invalid');
  assert.match(await empty.locator('.state').innerText(), /文件是空的（0 字节）/);
  assert.match(await rowOf(page, 'setup.exe').locator('.state').innerText(), /不支持的文件类型/);
  await page.locator('form#upload button.primary').click();
  await page.waitForLoadState('networkidle');
  assert.equal(posts.length, 0, 'no request for files refused in the browser');
  assert.equal(await page.locator('#queue .filefields').count(), 0, 'refused files get no fields');
  const red = await empty.locator('.state').evaluate((e) => getComputedStyle(e).color);

  // ---- two files, each its own title, category and price ----
  const cats = await page.locator('select[name=category] option').evaluateAll(
    (os) => os.map((o) => o.value).filter((v) => v));
  assert.ok(cats.length >= 2, 'the site has categories');
  await page.locator('#upload-file').setInputFiles([`${files}/甲.txt`, `${files}/乙.md`]);
  const a = rowOf(page, '甲.txt'), b = rowOf(page, '乙.md');
  // the title starts as the file's name without its extension
  assert.equal(await a.locator('input.ftitle').inputValue(), '甲');
  assert.equal(await b.locator('input.ftitle').inputValue(), '乙');
  await a.locator('input.ftitle').fill('第一份测试文档');
  await a.locator('select.fcategory').selectOption(cats[0]);
  await a.locator('input.fprice').fill('7');
  await b.locator('input.ftitle').fill('第二份测试文档');
  await b.locator('select.fcategory').selectOption(cats[1]);
  await b.locator('input.fprice').fill('0');
  // every field has its label (axe), at both widths
  assert.deepEqual(await ownViolations(page), []);
  await shot(page, { path: `${art}/upload-queue.png`, fullPage: true });

  // ---- a file the converter cannot read, one the server refuses ----
  await page.locator('#upload-file').setInputFiles([`${files}/坏.pdf`, `${files}/乱码.pdf`, `${files}/巨型.pdf`]);
  await page.locator('form#upload button.primary').click();
  await settled(page, 5);
  assert.equal(posts.length, 5, 'one request a file, none for those refused in the browser');
  for (const row of [a, b]) {
    assert.equal(await row.getAttribute('data-status'), 'ready');
    assert.match(await row.locator('.state').innerText(), /已完成/);
  }
  const bad = rowOf(page, '坏.pdf');
  assert.equal(await bad.getAttribute('data-status'), 'failed');
  const badText = await bad.locator('.state').innerText();
  assert.match(badText, /^转换失败：.*请/, badText);
  assert.doesNotMatch(badText, /[A-Za-z]{4,}/, 'no English developer message: ' + badText);
  const refused = rowOf(page, '乱码.pdf');
  assert.equal(await refused.getAttribute('data-status'), 'error');
  assert.match(await refused.locator('.state').innerText(), /无法识别的文件格式，请上传 PDF/);
  const big = rowOf(page, '巨型.pdf');
  assert.equal(await big.getAttribute('data-status'), 'error');
  assert.match(await big.locator('.state').innerText(), /无法识别的文件格式，请上传 PDF/);
  // failures in the error colour, not the colour of progress or success
  const colour = (row) => row.locator('.state').evaluate((e) => getComputedStyle(e).color);
  assert.equal(await colour(bad), red);
  assert.equal(await colour(refused), red);
  assert.notEqual(await colour(a), red);
  await shot(page, { path: `${art}/upload-done.png`, fullPage: true });

  // ---- the documents carry what each row said ----
  const api = async (row) => {
    const href = await row.locator('a').getAttribute('href');
    const r = await page.request.get(base + '/api/v1/doc/' + href.split('/').pop());
    return r.json();
  };
  const da = await api(a), db = await api(b), dbad = await api(bad);
  assert.equal(da.title, '第一份测试文档');
  assert.equal(da.category, cats[0]);
  assert.equal(da.price, 7);
  assert.equal(db.title, '第二份测试文档');
  assert.equal(db.category, cats[1]);
  assert.equal(db.price, 0);
  assert.equal(dbad.status, 'failed');
  assert.ok(dbad.reason && dbad.reason_code && dbad.reason_code !== 'unknown', JSON.stringify(dbad));

  assert.deepEqual(errors, []);
  await ctx.close();
});

test('the upload page at 390 px: no horizontal scrolling, labelled, and it works without script', { timeout: 120000 }, async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await register(ctx, 'uploader2', 'uploadpass2');
  await page.goto(base + '/upload');
  await page.locator('#upload-file').setInputFiles([
    { name: '甲.txt', mimeType: 'text/plain', buffer: readFileSync(`${files}/甲.txt`) },
    { name: '空.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) }]);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `page is ${width} px wide`);
  assert.deepEqual(await ownViolations(page), []);
  await shot(page, { path: `${art}/upload-phone.png`, fullPage: true });
  await ctx.close();

  // without JavaScript the plain form uploads (and takes its title)
  const plain = await browser.newContext({ locale: 'zh-CN', javaScriptEnabled: false });
  const page2 = await register(plain, 'uploader3', 'uploadpass3');
  await page2.goto(base + '/upload');
  await page2.locator('input[name=title]').fill('无脚本上传');
  await page2.locator('#upload-file').setInputFiles(`${files}/甲.txt`);
  await page2.locator('form#upload button.primary').click();
  await page2.waitForURL(base + '/me/uploads');
  assert.match(await page2.locator('body').innerText(), /无脚本上传/);
  await plain.close();
});

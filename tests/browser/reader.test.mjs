// The document page's reader in a real browser (Debian's chromium through
// playwright-core): the transparent text layer (selecting a page gives its
// text), ←/→ paging, full screen, the thumbnail sidebar, a jump past the
// preview (with and without JavaScript), the phone's text mode and bottom
// bar without horizontal scrolling, the download dialog's price and
// balance, and axe-core at 1366 and 390 px. Screenshots go to WY_ARTIFACTS.
// Run by tests/e2e/reader.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { launch } from './common.mjs';
import { shot } from './shot.mjs';
import { axeViolations } from './axe.mjs';

const base = process.env.WY_BASE;
const docId = process.env.WY_DOC;
const total = Number(process.env.WY_PAGES);
const preview = Number(process.env.WY_PREVIEW);
const pricedId = process.env.WY_PRICED;
const price = Number(process.env.WY_PRICE);
const bobPoints = Number(process.env.WY_BOB_POINTS);
const art = process.env.WY_ARTIFACTS;
const desktop = { width: 1366, height: 900 };
const phone = { width: 390, height: 844 };
let browser;

before(async () => {
  mkdirSync(art, { recursive: true });
  browser = await launch();
});
after(async () => { await browser?.close(); });

// a page that records its script errors
async function open(viewport, path = `/doc/${docId}`, opts = {}) {
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport, ...opts });
  const page = await ctx.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(base + path);
  return page;
}
const where = (page) => page.locator('.rbar .where').innerText();
const squeeze = (s) => s.replace(/\s+/g, '');

test('the text layer: selecting a page image with the mouse gives the page\'s text', async () => {
  const page = await open(desktop);
  // zoomed out to half the width, page 1 fits in the window
  await page.locator('.rbar [data-zoom="-1"]').click();
  await page.locator('.rbar [data-zoom="-1"]').click();
  assert.equal(await page.locator('.rbar .zoom').innerText(), '50%');
  const spans = page.locator('#p1 .textLayer span');
  await page.waitForFunction(() => document.querySelectorAll('#p1 .textLayer span').length > 10);
  await page.locator('#p1').scrollIntoViewIfNeeded();
  const n = await spans.count();
  const first = await spans.nth(0).boundingBox(), last = await spans.nth(n - 1).boundingBox();
  const sheet = await page.locator('#p1 .sheet').boundingBox();
  // the layer lies on the image: its lines inside the page, the first near its top
  assert.ok(first.x >= sheet.x && first.y >= sheet.y && last.y + last.height <= sheet.y + sheet.height + 1);
  assert.ok(first.y < sheet.y + sheet.height * 0.2, `first line at ${first.y}, page at ${sheet.y}`);
  await page.mouse.move(first.x + 1, first.y + first.height / 2);
  await page.mouse.down();
  await page.mouse.move(last.x + last.width - 1, last.y + last.height / 2, { steps: 8 });
  await page.mouse.up();
  const selected = await page.evaluate(() => window.getSelection().toString());
  const api = await (await page.request.get(`${base}/api/v1/doc/${docId}/pages?from=1&count=1`)).json();
  assert.ok(selected.startsWith('阅读器示例'), selected.slice(0, 40));
  assert.equal(squeeze(selected), squeeze(api.items[0].text));
  // copied, it is that text too
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  await page.keyboard.press('Control+C');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(squeeze(copied), squeeze(api.items[0].text));
  await shot(page, { path: `${art}/reader-selected.png` });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('←/→ and PageDown/PageUp change the page, not while typing', async () => {
  const page = await open(desktop);
  await page.waitForFunction(() => document.querySelector('.rbar .where').textContent.startsWith('第1页'));
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelector('.rbar .where').textContent.startsWith('第2页'));
  const top = await page.locator('#p2').evaluate((el) => el.getBoundingClientRect().top);
  assert.ok(top > -5 && top < 120, `page 2 at ${top}`);
  await page.keyboard.press('PageDown');
  await page.waitForFunction(() => document.querySelector('.rbar .where').textContent.startsWith('第3页'));
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(() => document.querySelector('.rbar .where').textContent.startsWith('第2页'));
  await page.keyboard.press('PageUp');
  await page.waitForFunction(() => document.querySelector('.rbar .where').textContent.startsWith('第1页'));
  // typing in the search box moves its caret, not the reader
  await page.locator('form.docsearch input[name=q]').fill('阅读器');
  await page.locator('form.docsearch input[name=q]').press('ArrowLeft');
  await page.locator('form.docsearch input[name=q]').press('ArrowRight');
  assert.match(await where(page), /^第1页/);
  // the buttons page too
  await page.locator('.rbar [data-act="next"]').click();
  await page.waitForFunction(() => document.querySelector('.rbar .where').textContent.startsWith('第2页'));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('zoom: fit width first; wider pages pan inside the reader, the text layer still on its lines', async () => {
  const page = await open(desktop);
  await page.waitForFunction(() => document.querySelectorAll('#p1 .textLayer span').length > 10);
  const ratio = () => page.evaluate(() => {
    const sheet = document.querySelector('#p1 .sheet').getBoundingClientRect();
    const line = document.querySelector('#p1 .textLayer span:nth-of-type(2)').getBoundingClientRect();
    return [line.width / sheet.width, (line.top - sheet.top) / sheet.height];
  });
  // fit width: the page as wide as the reader's column
  const fit = await page.evaluate(() => {
    const r = document.querySelector('.rpages');
    return [document.querySelector('#p1').getBoundingClientRect().width, r.clientWidth];
  });
  assert.ok(Math.abs(fit[0] - (fit[1] - 16)) < 2, `page ${fit[0]} in ${fit[1]}`);
  const before = await ratio();
  await page.locator('.rbar [data-zoom="1"]').click();
  await page.locator('.rbar [data-zoom="1"]').click();
  assert.equal(await page.locator('.rbar .zoom').innerText(), '150%');
  const pan = await page.evaluate(() => {
    const r = document.querySelector('.rpages');
    r.scrollLeft = 200;
    return [r.scrollWidth > r.clientWidth, r.scrollLeft, document.documentElement.scrollWidth];
  });
  assert.ok(pan[0] && pan[1] === 200, `pans: ${pan}`);
  assert.ok(pan[2] <= desktop.width, `the window does not scroll sideways (${pan[2]})`);
  // dragged from the page's empty bottom margin, the pages pan
  await page.evaluate(() => { document.querySelector('.rpages').scrollLeft = 0; });
  await page.locator('#p1').evaluate((el) => el.scrollIntoView({ block: 'end' }));
  const s2 = await page.locator('#p1 .sheet').boundingBox();
  const x = 700, y = s2.y + s2.height - 20;
  const start = await page.evaluate(() => document.querySelector('.rpages').scrollLeft);
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x - 150, y, { steps: 5 });
  await page.mouse.up();
  const left = await page.evaluate(() => document.querySelector('.rpages').scrollLeft);
  assert.ok(Math.abs(left - start - 150) < 3, `dragged 150 px, panned from ${start} to ${left}`);
  assert.equal(await page.evaluate(() => window.getSelection().toString()), '');
  const after = await ratio();
  assert.ok(Math.abs(after[0] - before[0]) < 0.01 && Math.abs(after[1] - before[1]) < 0.01, `${before} -> ${after}`);
  await shot(page, { path: `${art}/reader-zoomed.png` });
  await page.locator('.rbar [data-act="fit"]').click();
  assert.equal(await page.locator('.rbar .zoom').innerText(), '100%');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('full screen opens on the reader, and closes', async () => {
  const page = await open(desktop);
  await page.locator('.rbar [data-act="full"]').click();
  await page.waitForFunction(() => document.fullscreenElement && document.fullscreenElement.id === 'reader');
  assert.equal(await page.locator('.rbar [data-act="full"]').getAttribute('aria-pressed'), 'true');
  // paging still works in it
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelector('.rbar .where').textContent.startsWith('第2页'));
  await shot(page, { path: `${art}/reader-fullscreen.png` });
  await page.locator('.rbar [data-act="full"]').click();
  await page.waitForFunction(() => !document.fullscreenElement);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the thumbnail sidebar jumps to a page', async () => {
  const page = await open(desktop);
  await page.locator('.rside > summary').click();
  const thumbs = page.locator('.rside .thumbs a');
  assert.equal(await thumbs.count(), preview);
  await page.locator('.rside .thumbs a[data-page="3"] img').waitFor({ state: 'visible' });
  await shot(page, { path: `${art}/reader-thumbnails.png` });
  await thumbs.nth(2).click();
  await page.waitForFunction(() => document.querySelector('.rbar .where').textContent.startsWith('第3页'));
  const top = await page.locator('#p3').evaluate((el) => el.getBoundingClientRect().top);
  assert.ok(top > -5 && top < 120, `page 3 at ${top}`);
  assert.match(await page.locator('.rside .thumbs a.on').innerText(), /3/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the outline: its entries in the sidebar, each a jump to its page (past the preview: why not)', { skip: !process.env.WY_OUTLINED && 'no PDF with bookmarks (WY_CORPUS)' }, async () => {
  const id = process.env.WY_OUTLINED;
  const api = await (await fetch(`${base}/api/v1/doc/${id}/outline`)).json();
  assert.ok(api.items.length > 10, `${api.items.length} entries`);
  // without JavaScript the page carries it, as links
  const nojs = await open(desktop, `/doc/${id}`, { javaScriptEnabled: false });
  const titles = await nojs.locator('.rside .outline li a').allTextContents();
  assert.deepEqual(titles, api.items.map((e) => e.title));
  await nojs.context().close();
  const page = await open(desktop, `/doc/${id}`);
  await page.locator('.rside > summary').click();
  const tab = page.locator('.rside [role="tab"][data-tab="outline"]');
  assert.equal(await tab.getAttribute('aria-selected'), 'true');
  assert.ok(await page.locator('.rside .outline').isVisible());
  assert.equal(await page.locator('.rside .thumbs').isVisible(), false);
  // a second-level entry is indented under its first-level one
  const first = api.items.findIndex((e) => e.depth === 0), deeper = api.items.findIndex((e) => e.depth === 1);
  const x0 = (await page.locator('.rside .outline li a').nth(first).boundingBox()).x;
  const x1 = (await page.locator('.rside .outline li a').nth(deeper).boundingBox()).x;
  assert.ok(x1 > x0, `depth 1 at ${x1}, depth 0 at ${x0}`);
  await shot(page, { path: `${art}/reader-outline.png` });
  const k = api.items.findIndex((e) => e.page === 2);
  await page.locator('.rside .outline li a').nth(k).click();
  await page.waitForFunction(() => document.querySelector('.rbar .where').textContent.startsWith('第2页'));
  const past = api.items.findIndex((e) => e.page > preview);
  // the sidebar stays open on a wide screen: the next entry is there
  assert.ok(await page.locator('.rside-panel').isVisible());
  if (past >= 0) {
    await page.locator('.rside .outline li a').nth(past).click();
    await page.locator('.pastnote').waitFor({ state: 'visible' });
    assert.match(await page.locator('.pastnote').innerText(), new RegExp(`第${api.items[past].page}页需下载后阅读`));
  }
  // the thumbnails tab
  await page.locator('.rside [role="tab"][data-tab="thumbs"]').click();
  assert.ok(await page.locator('.rside .thumbs').isVisible());
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('jumping past the preview says why, with the download', async () => {
  const page = await open(desktop);
  const past = preview + 2;
  await page.locator('form.jump input[name=p]').fill(String(past));
  await page.locator('form.jump button').click();
  const note = page.locator('.pastnote');
  await note.waitFor({ state: 'visible' });
  assert.match(await note.innerText(), new RegExp(`第${past}页需下载后阅读`));
  assert.equal(await note.locator('a').getAttribute('href'), `/download/${docId}`);
  const box = await note.boundingBox();
  assert.ok(box.y >= 0 && box.y < desktop.height, `the note is in the window (${box.y})`);
  // the end of the preview: what is left and the download, with the cover
  const more = page.locator('#more');
  assert.match(await more.innerText(), new RegExp(`剩余${total - preview}页未读 — 免费下载全文`));
  assert.ok(await more.locator('.cover').isVisible());
  await shot(page, { path: `${art}/reader-past-preview.png` });
  // → on the last page of the preview says it too
  await page.goto(`${base}/doc/${docId}#p${preview}`);
  await page.locator(`#p${preview}`).scrollIntoViewIfNeeded();
  await page.evaluate((n) => document.getElementById('p' + n).scrollIntoView(), preview);
  await page.keyboard.press('ArrowRight');
  await note.waitFor({ state: 'visible' });
  assert.match(await note.innerText(), new RegExp(`第${preview + 1}页需下载后阅读`));
  assert.deepEqual(page.errors, []);
  await page.context().close();
  // without JavaScript the server says it (?p=N past the preview)
  const nojs = await open(desktop, `/doc/${docId}`, { javaScriptEnabled: false });
  await nojs.locator('form.jump input[name=p]').fill(String(past));
  await nojs.locator('form.jump button').click();
  await nojs.waitForURL((u) => u.searchParams.get('p') === String(past));
  assert.match(await nojs.locator('.pastnote').innerText(), new RegExp(`第${past}页需下载后阅读`));
  // and a page within it is its anchor, as before
  await nojs.locator('form.jump input[name=p]').fill('2');
  await nojs.locator('form.jump button').click();
  await nojs.waitForURL(/#p2$/);
  await nojs.context().close();
});

test('phone: the text mode shows the page text, the bottom bar the page and 下载, no sideways scrolling', async () => {
  const page = await open(phone, `/doc/${docId}`, { isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= phone.width, `the page is ${width} px wide`);
  const mbar = page.locator('.mbar');
  assert.ok(await mbar.isVisible());
  assert.match(await mbar.innerText(), new RegExp(`第1页 / 共${total}页`));
  assert.equal(await mbar.locator('a').innerText(), '下载');
  // the bar stays at the bottom of the window while reading
  await page.evaluate(() => { document.getElementById('p2').scrollIntoView(); window.scrollBy(0, 100); });
  await page.waitForFunction(() => !/^第1页/.test(document.querySelector('.mbar .mwhere').textContent));
  const bar = await mbar.boundingBox();
  assert.ok(Math.abs(bar.y + bar.height - phone.height) < 2, `bar at ${bar.y}`);
  await shot(page, { path: `${art}/reader-phone.png` });
  await page.locator('.rbar [data-act="text"]').click();
  const reflow = page.locator('.reflow');
  await reflow.waitFor({ state: 'visible' });
  assert.equal(await page.locator('.rpages').isVisible(), false);
  const paragraphs = await reflow.locator('p').allInnerTexts();
  const api = await (await page.request.get(`${base}/api/v1/doc/${docId}/pages?from=1&count=1`)).json();
  const headings = await reflow.locator('h2').allInnerTexts();
  assert.equal(headings.length, preview);
  assert.match(headings[0], new RegExp(`第1页 / 共${total}页`));
  assert.ok(paragraphs.join('').includes('第2行：阅读器把每一页的文字放在图片上，可以选中和复制。'));
  assert.ok(squeeze(await reflow.innerText()).includes(squeeze(api.items[0].text)));
  const size = await reflow.locator('p').first().evaluate((p) => parseFloat(getComputedStyle(p).fontSize));
  assert.ok(size >= 16, `text at ${size}px`);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= phone.width);
  await shot(page, { path: `${art}/reader-phone-text.png` });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the download dialog: the price and the balance, the ways to earn, then paid', async () => {
  const page = await open(desktop, `/login?next=/doc/${pricedId}`);
  await page.locator('input[name=name]').fill('bob');
  await page.locator('input[name=password]').fill('bob-reader1');
  await page.locator('form.account button').click();
  await page.waitForURL(new RegExp(`/doc/${pricedId}$`));
  assert.match(await page.locator('#download > summary').innerText(), new RegExp(`下载 · ${price}积分`));
  await page.locator('#download > summary').click();
  const dialog = page.locator('dialog.dl-dialog');
  await dialog.waitFor({ state: 'visible' });
  const text = await dialog.innerText();
  assert.match(text, /付费讲义\.txt/);
  assert.match(text, new RegExp(`价格：${price}积分`));
  assert.match(text, new RegExp(`我的积分：${bobPoints}`));
  assert.match(text, new RegExp(`积分不足，还差${price - bobPoints}积分`));
  assert.equal(await dialog.locator('a[href="/me/points"]').count(), 1);
  assert.equal(await dialog.locator('a[href="/upload"]').count(), 1);
  await shot(page, { path: `${art}/reader-download-short.png` });
  assert.deepEqual(await axeViolations(page), []);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  // given points, bob pays in the dialog: the file is the document's
  const r = await page.request.post(`${base}/api/v1/admin/user`, {
    headers: { Authorization: `Bearer ${process.env.WY_ADMIN_TOKEN}` },
    form: { id: process.env.WY_BOB_ID, action: 'points', delta: String(price) },
  });
  assert.equal(r.status(), 200);
  await page.reload();
  await page.locator('#download > summary').click();
  await dialog.waitFor({ state: 'visible' });
  assert.match(await dialog.innerText(), new RegExp(`我的积分：${bobPoints + price}`));
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    dialog.locator('button', { hasText: `支付${price}积分并下载` }).click(),
  ]);
  assert.match(download.suggestedFilename(), /\.txt$/);
  await page.goto(`${base}/doc/${pricedId}`);
  assert.doesNotMatch(await page.locator('#download > summary').innerText(), /积分/);
  await page.locator('#download > summary').click();
  await dialog.waitFor({ state: 'visible' });
  assert.match(await dialog.innerText(), /已购买 · 免费下载/);
  await shot(page, { path: `${art}/reader-download-paid.png` });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the report reason starts at 请选择 and is required', async () => {
  const page = await open(desktop, `/login?next=/doc/${docId}`);
  await page.locator('input[name=name]').fill('bob');
  await page.locator('input[name=password]').fill('bob-reader1');
  await page.locator('form.account button').click();
  await page.waitForURL(new RegExp(`/doc/${docId}$`));
  await page.locator('#report > summary').click();
  const select = page.locator('#report select[name=reason]');
  assert.equal(await select.inputValue(), '');
  assert.equal(await select.locator('option').first().innerText(), '请选择');
  assert.equal(await select.evaluate((s) => s.required && !s.checkValidity()), true);
  // it opens where it is: near the top of the page
  const box = await page.locator('#report .panel').boundingBox();
  assert.ok(box.y < 600, `the report panel at ${box.y}`);
  await page.context().close();
});

test('a queued document\'s page says so, asks again, and shows the reader once converted', async () => {
  const page = await open(desktop, `/login?next=/doc/${process.env.WY_QUEUED}`);
  await page.locator('input[name=name]').fill('alice');
  await page.locator('input[name=password]').fill('alice-reader');
  const asked = page.waitForRequest((r) => r.url().endsWith(`/api/v1/doc/${process.env.WY_QUEUED}`));
  await page.locator('form.account button').click();
  await page.waitForURL(new RegExp(`/doc/${process.env.WY_QUEUED}$`));
  assert.match(await page.locator('.meta .status').innerText(), /^排队中$/);
  assert.match(await page.locator('#convstatus').innerText(), /排队中：文档正在等待转换，本页会自动刷新。/);
  assert.equal(await page.locator('#reader').count(), 0);
  await shot(page, { path: `${art}/reader-queued.png` });
  await asked; // the page asks the API how the conversion goes
  // a worker converts it; the page reloads itself and shows the pages
  const worker = spawn(process.env.WY_BIN, ['--data', process.env.WY_DATA, 'worker', '--until-idle'], { stdio: 'ignore' });
  const code = await new Promise((resolve) => worker.on('exit', resolve));
  assert.equal(code, 0);
  await page.locator('#reader .rpages .page').first().waitFor({ timeout: 30000 });
  assert.equal(await page.locator('#convstatus').count(), 0);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

for (const [name, viewport] of [['1366', desktop], ['390', phone]]) {
  test(`axe-core finds nothing serious at ${name} px, the text layer loaded`, async () => {
    const page = await open(viewport);
    await page.waitForFunction(() => document.querySelectorAll('#p1 .textLayer span').length > 10);
    assert.deepEqual(await axeViolations(page), []);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= viewport.width);
    await shot(page, { path: `${art}/reader-${name}.png` });
    await page.context().close();
  });
}

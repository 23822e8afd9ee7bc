// A whole folder uploaded from the upload page (Debian's chromium through
// playwright-core): chosen with 选择文件夹 (setInputFiles with a directory)
// and dropped (a drop event whose entries are a folder tree, walked as
// the browser's FileSystemEntry API gives them), each file a row of its own
// named by its path, its folder's path offered as the category when it ends
// in one of the site's, an unsupported file refused in its row, hidden files
// left out, a total line of done, failed and all; then the documents made.
// Run by tests/e2e/browser_import.sh with WY_BASE and WY_FOLDER (the folder
// it made) set; it prints "docs N" lines the script checks against the store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launch, register as registerAs } from './common.mjs';
import { axeViolations } from './axe.mjs';
import { shot } from './shot.mjs';

const base = process.env.WY_BASE;
const art = process.env.WY_ARTIFACTS;
const folder = process.env.WY_FOLDER;
let browser;

before(async () => {
  mkdirSync(art, { recursive: true });
  browser = await launch();
});
after(async () => { await browser?.close(); });

const ownViolations = async (page) =>
  (await axeViolations(page)).filter((v) => !/\((footer|header)[^,]*\)$/.test(v));
const rowOf = (page, path) => page.locator('#queue li', { has: page.locator('.name', { hasText: path }) });
// until every row that was sent is ready or failed (at most 3 minutes)
const settled = (page) => page.waitForFunction(() => {
  const rows = [...document.querySelectorAll('#queue li')];
  return rows.length && rows.every((li) => ['ready', 'failed', 'error', 'invalid'].includes(li.dataset.status));
}, null, { timeout: 180000 });

test('a folder chosen, then one dropped: a row a file, categories from the folders, a total', { timeout: 400000 }, async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
  const page = await registerAs(ctx, base, 'folderup', 'folderpass1');
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const posts = [];
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().includes('/upload')) posts.push(r.url()); });
  await page.goto(base + '/upload');
  const picker = page.locator('#upload-folder');
  assert.ok(await page.getByText('选择文件夹').isVisible(), 'the folder picker shows with script');
  assert.match(await page.locator('#drop .drophint').innerText(), /文件夹拖到这里/);

  // ---- 选择文件夹: the folder made by the script ----
  await picker.setInputFiles(folder);
  const top = folder.split('/').pop();
  const names = await page.locator('#queue li .name').allInnerTexts();
  assert.deepEqual(names.sort(), [
    `${top}/想法/随笔.txt`, `${top}/教育资料/高中/数学笔记.txt`, `${top}/教育资料/高中/物理.md`,
    `${top}/教育资料/高中/setup.exe`].sort(), 'a row a file, hidden files left out');
  const math = rowOf(page, '数学笔记.txt'), essay = rowOf(page, '随笔.txt'), exe = rowOf(page, 'setup.exe');
  assert.equal(await math.locator('select.fcategory').inputValue(), '教育资料/高中',
    'the folder path\'s end that names a category is offered');
  assert.equal(await rowOf(page, '物理.md').locator('select.fcategory').inputValue(), '教育资料/高中');
  assert.equal(await essay.locator('select.fcategory').inputValue(), '', 'no category named: none chosen');
  assert.match(await essay.locator('.folder').innerText(), new RegExp(`文件夹：${top}/想法`));
  assert.equal(await exe.getAttribute('data-status'), 'invalid');
  assert.match(await exe.locator('.state').innerText(), /不支持的文件类型/);
  assert.match(await page.locator('#total').innerText(), /合计 已完成 0 · 失败 1 · 共 4/);
  assert.deepEqual(await ownViolations(page), []);
  await page.locator('form#upload button.primary').click();
  await settled(page);
  assert.equal(posts.length, 3, 'one request a file, none for the unsupported one');
  for (const row of [math, essay, rowOf(page, '物理.md')]) {
    assert.equal(await row.getAttribute('data-status'), 'ready');
    assert.equal(await row.locator('progress').getAttribute('value'), '100');
  }
  assert.match(await page.locator('#total').innerText(), /合计 已完成 3 · 失败 1 · 共 4/);
  const api = async (row) => {
    const href = await row.locator('a').getAttribute('href');
    return (await page.request.get(base + '/api/v1/doc/' + href.split('/').pop())).json();
  };
  assert.equal((await api(math)).category, '教育资料/高中');
  assert.equal((await api(essay)).category, null);
  await shot(page, { path: `${art}/upload-folder.png`, fullPage: true });

  // ---- a folder dropped: its entries walked, a directory read in batches ----
  await page.goto(base + '/upload');
  await page.evaluate(() => {
    const file = (path, text) => {
      const f = new File([text], path.split('/').pop(), { type: 'text/plain' });
      return { isFile: true, isDirectory: false, name: f.name, fullPath: '/' + path, file: (ok) => setTimeout(() => ok(f)) };
    };
    // a directory whose reader gives its entries two at a time, then []
    const dir = (path, kids) => ({
      isFile: false, isDirectory: true, name: path.split('/').pop(), fullPath: '/' + path,
      createReader() {
        let at = 0;
        return { readEntries(ok) { setTimeout(() => { ok(kids.slice(at, at + 2)); at += 2; }); } };
      },
    });
    const tree = dir('拖入的资料', [
      dir('拖入的资料/教育资料', [dir('拖入的资料/教育资料/小学', [file('拖入的资料/教育资料/小学/识字.txt', '拖放上传的文件夹：识字课本\n')])]),
      file('拖入的资料/说明.txt', '拖放上传的文件夹：说明\n'),
      file('拖入的资料/.DS_Store', 'x'),
      file('拖入的资料/附录.txt', '拖放上传的文件夹：附录\n'),
    ]);
    const ev = new Event('drop', { bubbles: true, cancelable: true });
    Object.defineProperty(ev, 'dataTransfer', { value: { files: [], items: [{ webkitGetAsEntry: () => tree }] } });
    document.getElementById('drop').dispatchEvent(ev);
  });
  await page.waitForFunction(() => document.querySelectorAll('#queue li').length === 3, null, { timeout: 10000 });
  assert.deepEqual(await page.locator('#queue li .name').allInnerTexts(),
    ['拖入的资料/教育资料/小学/识字.txt', '拖入的资料/说明.txt', '拖入的资料/附录.txt']);
  assert.equal(await rowOf(page, '识字.txt').locator('select.fcategory').inputValue(), '教育资料/小学');
  await page.locator('form#upload button.primary').click();
  await settled(page);
  assert.match(await page.locator('#total').innerText(), /合计 已完成 3 · 失败 0 · 共 3/);
  assert.equal((await api(rowOf(page, '识字.txt'))).category, '教育资料/小学');

  // ---- at 390 px: no horizontal scrolling with the folder's rows ----
  await page.setViewportSize({ width: 390, height: 844 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `page is ${width} px wide`);
  await shot(page, { path: `${art}/upload-folder-phone.png`, fullPage: true });
  assert.deepEqual(errors, []);
  console.log('docs 6');
  await ctx.close();
});

test('without script: the folder picker is not there, the page takes files as before', { timeout: 60000 }, async () => {
  const plain = await browser.newContext({ locale: 'zh-CN', javaScriptEnabled: false });
  const page = await registerAs(plain, base, 'folderplain', 'folderpass2');
  await page.goto(base + '/upload');
  assert.equal(await page.locator('#upload-folder').isVisible(), false);
  assert.equal(await page.locator('#upload-file').isVisible(), true);
  await plain.close();
});

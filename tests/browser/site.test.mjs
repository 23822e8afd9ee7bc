// The site in a real browser (Debian's chromium through playwright-core):
// home, a category, and these with search at 1366 and 390 px (covers
// drawn, one h1, no sideways scrolling, no serious axe violations), the
// skip link, a Chinese document's page with every element the
// reference page has that needs no account, the pager and the jump, zoom,
// the text of every page with JavaScript off, and search: its marks on the
// page images, its relaxed matches, "did you mean" and titles by their
// pinyin. Screenshots go to WY_ARTIFACTS. Run by tests/e2e/browser.sh with
// WY_BASE set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launch } from './common.mjs';
import { shot } from './shot.mjs';
import { axeViolations } from './axe.mjs';

const base = process.env.WY_BASE;
const docId = process.env.WY_DOC;
const recipeId = process.env.WY_RECIPE; // 家常菜谱: 卤味：猪心、猪大肠各一副…
const art = process.env.WY_ARTIFACTS;
let browser;

before(async () => {
  mkdirSync(art, { recursive: true });
  browser = await launch();
});
after(async () => { await browser?.close(); });

test('home: categories, newest, most viewed', async () => {
  const page = await browser.newPage({ locale: 'zh-CN' });
  await page.goto(base + '/');
  assert.match(await page.title(), /首页 - 文渊/);
  assert.ok(await page.locator('.cats a.top', { hasText: '资格与职业考试' }).count() === 1);
  assert.ok(await page.locator('h2', { hasText: '最新文档' }).isVisible());
  assert.ok(await page.locator('h2', { hasText: '最多阅读' }).isVisible());
  // every document a card, no table, no status word
  assert.equal(await page.locator('main table').count(), 0);
  assert.ok(await page.locator('section.all .card .title', { hasText: '长文示例' }).count() === 1);
  assert.doesNotMatch(await page.locator('main').innerText(), /ready|failed|converting|queued/);
  await shot(page, { path: `${art}/home.png`, fullPage: true });
  await page.close();
});

test('a category page lists its documents', async () => {
  const page = await browser.newPage({ locale: 'zh-CN' });
  await page.goto(base + '/');
  await page.locator('.cats a', { hasText: '示例' }).first().click();
  assert.match(page.url(), /\/category\//);
  assert.ok(await page.locator('.card a', { hasText: '长文' }).count() >= 1);
  await shot(page, { path: `${art}/category.png`, fullPage: true });
  await page.close();
});

// The list pages at a desktop's and a phone's width: one h1, the cards'
// covers drawn, nothing wider than the screen, no serious or critical
// accessibility violation; a screenshot of each.
const lists = [
  ['home', '/', '.card .cover img'],
  ['category', '/category/' + encodeURIComponent('文渊') + '/' + encodeURIComponent('示例'), '.card .cover img'],
  ['search', '/search?q=' + encodeURIComponent('文渊'), '.result .thumb img'],
];
for (const width of [1366, 390]) {
  for (const [name, path, cover] of lists) {
    test(`${name} at ${width} px: covers, one h1, no sideways scrolling, no axe violations`, async () => {
      const page = await browser.newPage({ locale: 'zh-CN', viewport: { width, height: 900 } });
      await page.goto(base + path);
      assert.equal(await page.locator('h1').count(), 1);
      assert.ok(await page.locator('main#main').count() === 1);
      assert.equal(await page.locator('body > a.skip').getAttribute('href'), '#main');
      // the first cover is drawn (loaded, not a broken image) inside its box
      await page.locator(cover).first().scrollIntoViewIfNeeded();
      await page.waitForFunction((sel) => {
        const img = document.querySelector(sel);
        return img && img.complete && img.naturalWidth > 0;
      }, cover);
      const box = await page.locator(cover).first().boundingBox();
      assert.ok(box.width > 30 && box.height > box.width, `cover ${JSON.stringify(box)}`);
      await page.evaluate(() => window.scrollTo(0, 0));
      const [sw, iw] = await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
      assert.ok(sw <= iw, `${name} at ${width}: ${sw} px wide in a ${iw} px window`);
      // the header's links do not overlap the site's name or the search box
      const boxes = await page.evaluate(() => ['header a.site', 'form.headsearch', 'nav.user'].map((s) => {
        const r = document.querySelector(s).getBoundingClientRect();
        return { x0: r.left, y0: r.top, x1: r.right, y1: r.bottom };
      }));
      for (let i = 0; i < boxes.length; i++)
        for (let k = i + 1; k < boxes.length; k++) {
          const [a, b] = [boxes[i], boxes[k]];
          assert.ok(a.x1 <= b.x0 || b.x1 <= a.x0 || a.y1 <= b.y0 || b.y1 <= a.y0,
            `header parts overlap: ${JSON.stringify(a)} ${JSON.stringify(b)}`);
        }
      assert.deepEqual(await axeViolations(page), []);
      await shot(page, { path: `${art}/${name}-${width}.png`, fullPage: true });
      await page.close();
    });
  }
}

test('the skip link shows when focused and leads to the main content', async () => {
  const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 390, height: 800 } });
  await page.goto(base + '/');
  await page.keyboard.press('Tab');
  const skip = page.locator('a.skip');
  assert.equal(await skip.evaluate((el) => el === document.activeElement), true);
  const box = await skip.boundingBox();
  assert.ok(box && box.y >= 0 && box.height > 10, `skip link at ${JSON.stringify(box)}`);
  await page.keyboard.press('Enter');
  await page.waitForURL(/#main$/);
  await page.close();
});

test('the document page, its pager, jump and zoom', async () => {
  const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 1100, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${base}/doc/${docId}`);
  const h1 = page.locator('h1');
  assert.match(await h1.innerText(), /TXT\s*长文示例/);
  assert.match(await page.locator('.crumbs').innerText(), /当前位置：首页 > 文渊 > 示例/);
  const meta = await page.locator('.meta').innerText();
  for (const re of [/上传人 sc\*\*\*\*y/, /文档编号 \d+/, /上传时间 \d{4}-\d\d-\d\d/, /格式 TXT/, /页数 \d+/, /大小 [\d.]+KB/]) assert.match(meta, re);
  for (const label of ['收藏', '分享', '赏', '下载', '相关', '举报'])
    assert.ok(await page.locator('.actions .act', { hasText: label }).isVisible(), label);
  const imgs = page.locator('.page img');
  const n = await imgs.count();
  assert.ok(n >= 3, `pages: ${n}`);
  // every image has its size set (no layout shift) and the start of its text as alt
  for (let i = 0; i < n; i++) {
    const img = imgs.nth(i);
    assert.equal(await img.getAttribute('width'), '1240');
    assert.ok(Number(await img.getAttribute('height')) > 1000);
    assert.ok((await img.getAttribute('alt')).length > 0);
    // the first page at once (the largest paint), the others lazily
    if (i === 0) assert.equal(await img.getAttribute('fetchpriority'), 'high');
    else assert.equal(await img.getAttribute('loading'), 'lazy');
  }
  assert.match(await page.locator('.pager').first().innerText(), new RegExp(`第1页 / 共${n}页`));
  assert.match(await page.locator('.end').innerText(), new RegExp(`亲，该文档总共${n}页，全部预览完了`));
  assert.match(await page.locator('.desc summary').innerText(), /展开阅读全文/);
  assert.match(await page.locator('footer').innerText(), /© 文渊文库/);
  for (const h of ['相关资源', '相关搜索', '猜你喜欢'])
    assert.ok(await page.locator('section h2', { hasText: h }).isVisible(), h);
  // the script's pager follows the jump
  await page.locator('form.jump input[name=p]').fill('3');
  await page.locator('form.jump button').click();
  await page.waitForFunction(() => document.querySelector('.rbar .where').textContent.startsWith('第3页'));
  // page 3 is where the reader is now: its top in the upper half of the window
  const top = await page.locator('#p3').evaluate((el) => el.getBoundingClientRect().top);
  assert.ok(top > -50 && top < 450, `page 3 at ${top}`);
  await shot(page, { path: `${art}/doc-page3.png` });
  // zoom
  await page.locator('.rbar button[data-zoom="-1"]').click();
  assert.equal(await page.locator('.rbar .zoom').innerText(), '75%');
  await page.locator('.desc summary').click();
  await shot(page, { path: `${art}/doc-zoomed.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('without JavaScript the text of every page is there', async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN', javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(`${base}/doc/${docId}`);
  const texts = await page.locator('.desc .text').allTextContents();
  assert.ok(texts.length >= 3);
  texts.forEach((t, i) => assert.match(t, new RegExp(`^${i + 1}、`)));
  assert.ok(texts.join('').includes('第三页的最后一句。'));
  // and the jump still works, as a plain form
  await page.locator('form.jump input[name=p]').fill('2');
  await page.locator('form.jump button').click();
  assert.match(page.url(), /#p2$/);
  await shot(page, { path: `${art}/doc-nojs.png` });
  await ctx.close();
});

test('search: results mark the hit, a hit leads to its page, marked on the image', async () => {
  const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 1100, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(base + '/');
  await page.locator('header input[name=q]').fill('最后一句');
  await page.locator('header form button').click();
  await page.waitForURL(/\/search\?q=/);
  const result = page.locator('.result').first();
  assert.match(await result.locator('h2').innerText(), /长文示例/);
  assert.equal(await result.locator('.snippet mark').first().innerText(), '最后一句');
  await shot(page, { path: `${art}/search.png`, fullPage: true });
  // the snippet's page link: page 3, with the query
  const link = result.locator('.snippet a.pageno').first();
  assert.match(await link.innerText(), /第3页/);
  await link.click();
  await page.waitForURL(/\/doc\/\d+\?q=.*#p3$/);
  const mark = page.locator('#p3 .sheet .hit').first();
  await mark.waitFor({ state: 'attached' });
  assert.match(await page.locator('.hitpos').innerText(), /命中 1 \/ 1/);
  // the mark lies on page 3's image, in its lower part (the last line)
  const sheet = await page.locator('#p3 .sheet').boundingBox();
  const box = await mark.boundingBox();
  assert.ok(box.width > 10 && box.height > 5, `mark ${JSON.stringify(box)}`);
  assert.ok(box.x >= sheet.x && box.x + box.width <= sheet.x + sheet.width + 1);
  assert.ok(box.y > sheet.y + sheet.height * 0.3 && box.y + box.height <= sheet.y + sheet.height + 1,
    `mark ${JSON.stringify(box)} on sheet ${JSON.stringify(sheet)}`);
  await mark.scrollIntoViewIfNeeded();
  await shot(page, { path: `${art}/search-hit.png` });
  // in-document search from the box, without a reload
  const before = page.url();
  await page.locator('form.docsearch input[name=q]').fill('第2页第20行');
  await page.locator('form.docsearch > button').first().click();
  await page.waitForFunction(() => document.querySelectorAll('.sheet .hit').length === 1 &&
    !document.querySelector('#p3 .sheet .hit'));
  assert.match(await page.locator('.hitpos').innerText(), /命中 1 \/ 1/);
  assert.notEqual(page.url(), before);
  assert.match(page.url(), /\?q=/);
  assert.deepEqual(errors, []);
  await page.close();
});

// Search from the header's box, as a reader does: the results page.
async function searchFor(page, q) {
  await page.locator('header input[name=q]').fill(q);
  await page.locator('header form button').click();
  await page.waitForURL((u) => u.pathname === '/search' && u.searchParams.get('q') === q);
}

test('search: a relaxed result (the words in another order) leads to its page, the terms marked on the image', async () => {
  const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 1100, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(base + '/');
  await searchFor(page, '猪大肠猪心');
  // nothing holds the query as typed: the page says so above the result
  // no strict match: the count says one, the heading below says why
  assert.match(await page.locator('.count').innerText(), /^找到1篇相关文档$/);
  const head = page.locator('h2.relaxed-head');
  assert.equal(await head.innerText(), '没有文档包含全部搜索词，以下文档包含其中一部分');
  const result = page.locator('.result').first();
  assert.equal(await result.locator('h2 a').innerText(), '家常菜谱');
  const headBox = await head.boundingBox(), resultBox = await result.boundingBox();
  assert.ok(headBox.y + headBox.height <= resultBox.y + 1, 'the heading is above the result');
  // the share of the query it holds, and both words marked in the snippet
  const percent = Number((await result.locator('.meta').innerText()).match(/包含(\d+)%的搜索词/)?.[1]);
  // both words of the query are on the page: every character of it
  assert.equal(percent, 100, `包含${percent}%的搜索词`);
  assert.deepEqual(await result.locator('.snippet mark').allInnerTexts(), ['猪心', '猪大肠']);
  assert.ok(await page.locator('p.suggest').count() === 0, 'no "did you mean" for a query that found its document');
  await shot(page, { path: `${art}/search-relaxed.png`, fullPage: true });
  // the snippet's page link opens the document at page 1 with the query
  const link = result.locator('.snippet a.pageno').first();
  assert.equal(await link.innerText(), '第1页');
  await link.click();
  await page.waitForURL((u) => u.pathname === `/doc/${recipeId}` && u.searchParams.get('q') === '猪大肠猪心' && u.hash === '#p1');
  assert.match(await page.locator('h1').innerText(), /家常菜谱/);
  assert.equal(await page.locator('form.docsearch input[name=q]').inputValue(), '猪大肠猪心');
  // the in-document search marks both words, each where it lies on the
  // page's image: the second line, 猪心 then the longer 猪大肠 to its right
  await page.waitForFunction(() => document.querySelectorAll('#p1 .sheet .hit').length === 2);
  // the page says the words as typed are not there, their parts are
  assert.match(await page.locator('.hitpos').innerText(), /命中 1 \/ 2 （部分搜索词）/);
  const sheet = await page.locator('#p1 .sheet').boundingBox();
  const [heart, gut] = [await page.locator('#p1 .sheet .hit').nth(0).boundingBox(),
    await page.locator('#p1 .sheet .hit').nth(1).boundingBox()];
  for (const box of [heart, gut]) {
    assert.ok(box.width > 10 && box.height > 5, `mark ${JSON.stringify(box)}`);
    assert.ok(box.x >= sheet.x && box.x + box.width <= sheet.x + sheet.width + 1);
    assert.ok(box.y >= sheet.y && box.y + box.height <= sheet.y + sheet.height * 0.3,
      `mark ${JSON.stringify(box)} on sheet ${JSON.stringify(sheet)}`);
  }
  assert.ok(Math.abs(heart.y - gut.y) < 2, 'both on one line');
  assert.ok(heart.x + heart.width <= gut.x + 1 && gut.width > heart.width,
    `猪心 ${JSON.stringify(heart)} before 猪大肠 ${JSON.stringify(gut)}`);
  // and the page number, under the page and in the viewer's bar
  assert.equal(await page.locator('#p1 .pager').innerText(), '第1页 / 共1页');
  await page.waitForFunction(() => document.querySelector('.rbar .where')?.textContent.startsWith('第1页'));
  await shot(page, { path: `${art}/search-relaxed-hit.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test('search: "did you mean" a title with one character wrong, and a title by its pinyin initials', async () => {
  const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 1100, height: 900 } });
  await page.goto(base + '/');
  await searchFor(page, '家常菜普');
  const suggest = page.locator('p.suggest');
  assert.equal(await suggest.innerText(), '您是不是要找：家常菜谱');
  await suggest.locator('a').click();
  await page.waitForURL((u) => u.pathname === '/search' && u.searchParams.get('q') === '家常菜谱');
  // the title as it is: found strictly, nothing said of a part of the query
  assert.equal(await page.locator('form.searchbar input[name=q]').inputValue(), '家常菜谱');
  assert.equal(await page.locator('.count').innerText(), '找到1篇相关文档');
  assert.equal(await page.locator('h2.relaxed-head').count(), 0);
  assert.equal(await page.locator('p.suggest').count(), 0);
  const result = page.locator('.result').first();
  assert.equal(await result.locator('h2 a').innerText(), '家常菜谱');
  assert.equal(await result.locator('h2 a').getAttribute('href').then((h) => h.split('?')[0]), `/doc/${recipeId}`);
  assert.doesNotMatch(await result.locator('.meta').innerText(), /搜索词/);
  // what the page shows is the API's strict match
  const api = await (await page.request.get(`${base}/api/v1/search?q=${encodeURIComponent('家常菜谱')}`)).json();
  assert.equal(api.results[0].id, Number(recipeId));
  assert.equal(api.results[0].match, 'strict');
  // the initials of the title's pinyin find it, and the result says how
  await searchFor(page, 'jccp');
  const py = page.locator('.result').first();
  assert.equal(await py.locator('h2 a').innerText(), '家常菜谱');
  assert.match(await py.locator('.meta').innerText(), /标题拼音匹配/);
  await page.close();
});

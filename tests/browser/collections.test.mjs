// Collections (专辑) in a real browser (Debian's chromium through
// playwright-core), issue 17's "must show" 2: alice makes a collection from
// a document page's "加入专辑" and adds two more documents the same way;
// on the collection's page she reorders them with the down button and by
// dragging (no page load: the order is the store's, read back), and once
// more with JavaScript off (the forms alone); she makes it public; bob, a
// second user, finds it on /collections and favorites it, and the count
// shows on the page and in the JSON. A visitor gets the login link on the
// document page. The collection page, the list and the /me tab pass
// axe-core at 1366 and 390 px without scrolling sideways. Screenshots go to
// WY_ARTIFACTS. Run by tests/e2e/browser_collections.sh with WY_BASE and
// WY_DOCS (three document ids of alice's, comma-separated) set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launch, register } from './common.mjs';
import { shot } from './shot.mjs';
import { axeViolations } from './axe.mjs';

const base = process.env.WY_BASE;
const art = process.env.WY_ARTIFACTS;
const docs = process.env.WY_DOCS.split(',');
let browser;

before(async () => {
  mkdirSync(art, { recursive: true });
  browser = await launch();
});
after(async () => { await browser?.close(); });

async function flash(page) {
  const f = page.locator('p.flash[role=status]');
  return (await f.count()) ? (await f.innerText()).trim() : '';
}

// click what submits a form and wait for the page it leads to (often the
// same address: the form's redirect back)
async function submit(page, what) {
  await Promise.all([page.waitForNavigation(), what.click()]);
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

// the documents' ids on a collection page, in the order shown
async function shown(page) {
  return page.locator('ol.colldocs li.card').evaluateAll((els) => els.map((e) => e.getAttribute('data-doc')));
}

// the order the store holds, as the page's reader asks the API
async function stored(page, id) {
  const r = await page.request.get(`${base}/api/v1/collection/${id}`);
  assert.equal(r.status(), 200);
  return (await r.json()).documents.map((d) => String(d.id));
}

async function overflowX(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test('make a collection, add three, reorder, make it public, a second user favorites it', { timeout: 300000 }, async () => {
  const errors = [];
  const aliceCtx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1200, height: 900 } });
  const page = await logIn(aliceCtx, 'alice', 'alicepass1');
  page.on('pageerror', (e) => errors.push(String(e)));
  const [a, b, c] = docs;

  // ---- the first document: a new collection made from its page ----
  await page.goto(`${base}/doc/${a}`);
  await page.locator('#collect > summary').click();
  assert.equal(await page.locator('#collect select[name=collection]').count(), 0, 'no collections yet: a name alone');
  await page.locator('#collect input[name=name]').fill('唐诗三首');
  await shot(page, { path: `${art}/collections-add-new.png` });
  await submit(page, page.locator('#collect button.primary'));
  assert.equal(page.url(), `${base}/doc/${a}`);
  assert.equal(await flash(page), '已加入专辑');

  // ---- the next two: into it, picked from my collections ----
  for (const d of [b, c]) {
    await page.goto(`${base}/doc/${d}`);
    await page.locator('#collect > summary').click();
    const select = page.locator('#collect select[name=collection]');
    const value = await select.locator('option', { hasText: '唐诗三首' }).getAttribute('value');
    await select.selectOption(value);
    await submit(page, page.locator('#collect button.primary'));
    assert.equal(page.url(), `${base}/doc/${d}`);
    assert.equal(await flash(page), '已加入专辑');
  }
  // the document page knows it is in it now
  await page.locator('#collect > summary').click();
  assert.equal(await page.locator('#collect option', { hasText: '唐诗三首' }).getAttribute('disabled'), '');

  // ---- my collections: the new one, private ----
  await page.goto(base + '/me/collections');
  assert.equal(await page.locator('h1').innerText(), '我的专辑');
  const link = page.locator('.colls a', { hasText: '唐诗三首' });
  assert.match(await page.locator('.colls li', { hasText: '唐诗三首' }).innerText(), /3篇文档.*私有/s);
  await submit(page, link);
  assert.match(page.url(), /\/collection\/\d+$/);
  const id = page.url().split('/').pop();
  assert.deepEqual(await shown(page), [a, b, c], 'in the order added');
  assert.match(await page.locator('.collinfo .meta').innerText(), /私有/);
  await shot(page, { path: `${art}/collections-owner.png`, fullPage: true });

  // ---- reorder with script: the down button, then a drag; no page load ----
  await page.evaluate(() => { window.__same = true; });
  await page.locator(`li.card[data-doc="${a}"] form.down button`).click();
  await page.waitForFunction((want) => [...document.querySelectorAll('ol.colldocs li.card')]
    .map((e) => e.getAttribute('data-doc')).join() === want, [b, a, c].join());
  assert.equal(await page.locator('.collstatus').innerText(), '已移动');
  assert.deepEqual(await stored(page, id), [b, a, c]);
  // the focus stays on the moved card's button
  assert.equal(await page.evaluate(() => document.activeElement.closest('li.card')?.getAttribute('data-doc')), a);
  // the first card has no "up", the last no "down"
  assert.ok(await page.locator(`li.card[data-doc="${b}"] form.up`).isHidden());
  assert.ok(await page.locator(`li.card[data-doc="${c}"] form.down`).isHidden());
  await page.locator(`li.card[data-doc="${c}"]`).dragTo(page.locator(`li.card[data-doc="${b}"]`));
  await page.waitForFunction((want) => [...document.querySelectorAll('ol.colldocs li.card')]
    .map((e) => e.getAttribute('data-doc')).join() === want, [c, b, a].join());
  assert.deepEqual(await stored(page, id), [c, b, a]);
  assert.equal(await page.evaluate(() => window.__same), true, 'the page was not reloaded');
  await shot(page, { path: `${art}/collections-reordered.png`, fullPage: true });

  // ---- the same without script: the forms post and the page comes back ----
  const noJs = await browser.newContext({ locale: 'zh-CN', javaScriptEnabled: false });
  const plain = await logIn(noJs, 'alice', 'alicepass1');
  await plain.goto(`${base}/collection/${id}`);
  assert.deepEqual(await shown(plain), [c, b, a]);
  await submit(plain, plain.locator(`li.card[data-doc="${a}"] form.up button`));
  assert.deepEqual(await shown(plain), [c, a, b]);
  await submit(plain, plain.locator(`li.card[data-doc="${c}"] form.down button`));
  assert.deepEqual(await shown(plain), [a, c, b]);
  await noJs.close();
  assert.deepEqual(await stored(page, id), [a, c, b]);

  // ---- make it public ----
  await page.goto(`${base}/collection/${id}`);
  await page.locator('details.colledit > summary').click();
  await page.locator('details.colledit textarea[name=description]').fill('李白、孟浩然、王之涣的名篇。');
  await page.locator('details.colledit input[name=public][value="1"]').check();
  await submit(page, page.locator('details.colledit button.primary'));
  assert.equal(page.url(), `${base}/collection/${id}`);
  assert.equal(await flash(page), '专辑已保存');
  assert.match(await page.locator('.collinfo .meta').innerText(), /公开/);
  assert.match(await page.locator('.collinfo .descr').innerText(), /王之涣/);

  // ---- bob finds it and favorites it ----
  const bobCtx = await browser.newContext({ locale: 'zh-CN' });
  const bob = await register(bobCtx, base, 'bob_reader', 'bobpass123');
  bob.on('pageerror', (e) => errors.push(String(e)));
  await bob.goto(base + '/collections');
  const card = bob.locator('.colls li.card', { hasText: '唐诗三首' });
  assert.match(await card.innerText(), /3篇文档 · 0人收藏/);
  assert.match(await card.innerText(), /al\*\*\*\*e/, "the owner's name is masked");
  await submit(bob, card.locator('a'));
  assert.equal(bob.url(), `${base}/collection/${id}`);
  assert.deepEqual(await shown(bob), [a, c, b]);
  assert.equal(await bob.locator('ol.colldocs form').count(), 0, 'no owner controls for bob');
  await submit(bob, bob.locator('.actions button.fav'));
  assert.equal(bob.url(), `${base}/collection/${id}`);
  assert.equal(await flash(bob), '已收藏');
  assert.match(await bob.locator('.actions button.fav').innerText(), /已收藏\s*1/);
  const json = await (await bob.request.get(`${base}/api/v1/collection/${id}`)).json();
  assert.equal(json.favorites, 1);
  assert.equal(json.faved, true);
  assert.equal(json.public, true);
  await shot(bob, { path: `${art}/collections-favorited.png`, fullPage: true });
  await bob.goto(base + '/me/collections');
  assert.ok(await bob.locator('.colls li', { hasText: '唐诗三首' }).count() === 1, "in bob's favorites");
  await bob.goto(base + '/collections?sort=favorites');
  assert.match(await bob.locator('.colls li.card').first().innerText(), /唐诗三首[\s\S]*1人收藏/);

  // ---- a visitor: the login link on the document page ----
  const anon = await browser.newContext({ locale: 'zh-CN' });
  const v = await anon.newPage();
  await v.goto(`${base}/doc/${a}`);
  await v.locator('#collect > summary').click();
  assert.equal(await v.locator('#collect a').getAttribute('href'), `/login?next=/doc/${a}`);
  assert.equal(await v.locator('#collect form').count(), 0);
  await v.goto(`${base}/collection/${id}`);
  assert.deepEqual(await shown(v), [a, c, b]);
  assert.deepEqual(errors, []);
  for (const x of [aliceCtx, bobCtx, anon]) await x.close();
});

test('the collection pages: axe-core, 1366 and 390 px', { timeout: 300000 }, async () => {
  const problems = [];
  for (const [width, opts] of [[1366, { viewport: { width: 1366, height: 900 } }],
    [390, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }]]) {
    const ctx = await browser.newContext({ locale: 'zh-CN', ...opts });
    const page = await logIn(ctx, 'alice', 'alicepass1');
    const id = (await (await page.request.get(`${base}/api/v1/collections?mine=1`)).json()).collections[0].id;
    for (const path of ['/collections', `/collection/${id}`, '/me/collections', `/doc/${docs[0]}`]) {
      await page.goto(base + path);
      if (path.startsWith('/doc/')) await page.locator('#collect > summary').click();
      for (const v of await axeViolations(page)) problems.push(`${path} @${width}: ${v}`);
      if (width === 390) {
        const over = await overflowX(page);
        if (over > 0) problems.push(`${path} @390: scrolls ${over}px sideways`);
      }
      const name = path === '/collections' ? 'list' : path.startsWith('/me') ? 'me' : path.startsWith('/doc') ? 'doc' : 'page';
      await shot(page, { path: `${art}/collections-${name}-${width}.png`, fullPage: true });
    }
    await ctx.close();
  }
  assert.deepEqual(problems, []);
});

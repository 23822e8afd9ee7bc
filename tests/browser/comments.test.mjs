// Ratings and comments in a real browser (comments.c, comments.js): two
// readers rate a document with one click each and comment on it (one
// replies to the other); the average and count show on the page and in the
// document's JSON; a comment holding <script> and a link shows as text
// (nothing runs, nothing links); a reader reports it and an admin hides it
// from the reports tab, after which no reader sees it; a visitor of a
// private document's URL sees neither the document nor its comments. With
// JavaScript off the star buttons are a plain form that works. The page
// with comments passes axe-core at 1366 and 390 px without scrolling
// sideways. Run by tests/e2e/browser_comments.sh with WY_BASE, WY_DOC,
// WY_PRIVATE, WY_PRIVATE_COMMENT and WY_ADMIN_PASSWORD set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launch } from './common.mjs';
import { shot } from './shot.mjs';
import { axeViolations } from './axe.mjs';

const base = process.env.WY_BASE;
const art = process.env.WY_ARTIFACTS;
const doc = process.env.WY_DOC;
const priv = process.env.WY_PRIVATE;
const privComment = process.env.WY_PRIVATE_COMMENT;
const evil = '<script>window.pwned = 1</script> 详见 http://evil.example/x';
let browser;
const errors = []; // the pages' script errors: none expected

before(async () => {
  mkdirSync(art, { recursive: true });
  browser = await launch();
});
after(async () => { await browser?.close(); });

async function logIn(name, password, opts = {}) {
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 }, ...opts });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(base + '/login');
  await page.locator('input[name=name]').fill(name);
  await page.locator('input[name=password]').fill(password);
  await page.locator('form.account button').click();
  await page.waitForURL(base + '/');
  return page;
}

// Click star n of the rating form and wait for the section to say the
// reader's stars (comments.js answers without leaving the page).
async function rate(page, n) {
  const url = page.url();
  await page.locator(`#comments form.rate button.star[value="${n}"]`).click();
  await page.locator('#comments form.rate .mine', { hasText: `已评${n}星` }).waitFor();
  assert.equal(page.url(), url, 'the page stayed where it was');
}

async function comment(page, text) {
  await page.locator('#comment-text').fill(text);
  await Promise.all([page.waitForNavigation(), page.locator('form.comment-new button').click()]);
}

test('two readers rate and comment; a report hides one; a private document shows nothing', { timeout: 180000 },
  async () => {
    // ---- bob: 4 stars and a comment with <script> and a URL ----
    const bob = await logIn('bob', 'bobpass123');
    await bob.goto(`${base}/doc/${doc}`);
    assert.match(await bob.locator('#comments .rating-sum').innerText(), /还没有人评分/);
    await rate(bob, 4);
    assert.match(await bob.locator('#comments .rating-sum').innerText(), /4\.0\s*1人评分/);
    await comment(bob, evil);
    const bobsComment = bob.locator('#comments .clist > li.comment').first();
    assert.equal(await bobsComment.locator(':scope > p.text').innerText(), evil, 'shown as the text it is');
    assert.equal(await bob.evaluate(() => window.pwned), undefined, 'nothing of it ran');
    assert.equal(await bob.locator('#comments a[href*="evil.example"]').count(), 0, 'no link made of it');
    const bobsId = (await bobsComment.getAttribute('id')).slice(1);

    // ---- carol: 5 stars, a reply to bob, a report of his comment ----
    const carol = await logIn('carol', 'carolpass1');
    await carol.goto(`${base}/doc/${doc}`);
    await rate(carol, 5);
    assert.match(await carol.locator('#comments .rating-sum').innerText(), /4\.5\s*2人评分/);
    const thread = carol.locator(`#c${bobsId}`);
    await thread.locator('details.reply > summary').first().click();
    await thread.locator('details.reply textarea').first().fill('同意，第二节写得清楚。');
    await Promise.all([carol.waitForNavigation(), thread.locator('details.reply button').first().click()]);
    const reply = carol.locator(`#c${bobsId} ol.replies > li.comment`);
    assert.equal(await reply.count(), 1, 'the reply is under bob\'s comment');
    assert.equal(await reply.locator('p.text').innerText(), '同意，第二节写得清楚。');

    // the average and count: the info line, the section, the JSON
    await carol.goto(`${base}/doc/${doc}`);
    assert.match(await carol.locator('p.meta .rated').innerText(), /4\.5分（2人评分）/);
    assert.match(await carol.locator('#comments .rating-sum').innerText(), /4\.5\s*2人评分/);
    const json = await carol.evaluate(async (id) => (await fetch(`/api/v1/doc/${id}`)).json(), doc);
    assert.equal(json.rating, 4.5);
    assert.equal(json.ratings, 2);
    await shot(carol, { path: `${art}/comments-1366.png`, fullPage: true });

    // the page with comments: axe-clean, and no sideways scrolling on a phone
    assert.deepEqual(await axeViolations(carol), []);
    await carol.setViewportSize({ width: 390, height: 844 });
    await carol.reload();
    assert.deepEqual(await axeViolations(carol), []);
    assert.ok(await carol.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scroll');
    await shot(carol, { path: `${art}/comments-390.png`, fullPage: true });
    await carol.setViewportSize({ width: 1366, height: 900 });

    // carol reports bob's comment with the existing reasons
    await carol.goto(`${base}/doc/${doc}`);
    const rep = carol.locator(`#c${bobsId} > .cacts details.creport`);
    await rep.locator('summary').click();
    await rep.locator('select[name=reason]').selectOption('广告垃圾');
    await Promise.all([carol.waitForNavigation(), rep.locator('button').click()]);
    assert.match(await carol.locator('main').innerText(), /感谢举报/);

    // ---- the admin: the report shows the comment's text, escaped; hide it ----
    const boss = await logIn('boss', process.env.WY_ADMIN_PASSWORD);
    await boss.goto(`${base}/admin/reports`);
    const row = boss.locator('table.admin tr', { has: boss.locator('.rcomment') }).first();
    assert.equal(await row.locator('.rcomment .ctext').innerText(), evil);
    assert.equal(await boss.evaluate(() => window.pwned), undefined);
    await Promise.all([boss.waitForNavigation(), row.locator('button[value=comment_hide]').click()]);
    await boss.goto(`${base}/doc/${doc}`);
    assert.match(await boss.locator(`#c${bobsId} > .who`).innerText(), /已隐藏/, 'admins still see it, marked hidden');

    // nobody else sees it any more: carol, bob (its author), a visitor
    for (const page of [carol, bob]) {
      await page.goto(`${base}/doc/${doc}`);
      assert.equal(await page.locator(`#c${bobsId}`).count(), 0);
      assert.ok(!(await page.content()).includes('evil.example'));
    }
    const visitor = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
    await visitor.goto(`${base}/doc/${doc}`);
    assert.equal(await visitor.locator(`#c${bobsId}`).count(), 0);
    assert.match(await visitor.locator('#comments .rating-sum').innerText(), /4\.5\s*2人评分/);

    // ---- a private document's URL: neither it nor its comments ----
    const resp = await visitor.goto(`${base}/doc/${priv}`);
    assert.equal(resp.status(), 404);
    const body = await visitor.content();
    assert.ok(!body.includes(privComment), 'its comment is not on the 404 page');
    const api = await visitor.evaluate(async (id) => (await fetch(`/api/v1/doc/${id}/comments`)).status, priv);
    assert.equal(api, 404);
    await bob.goto(`${base}/doc/${priv}`);
    assert.ok(!(await bob.content()).includes(privComment), 'nor to another reader');

    // ---- JavaScript off: the stars are a form ----
    const plain = await logIn('bob', 'bobpass123', { javaScriptEnabled: false });
    await plain.goto(`${base}/doc/${doc}`);
    await Promise.all([plain.waitForNavigation(), plain.locator('#comments form.rate button.star[value="3"]').click()]);
    await plain.goto(`${base}/doc/${doc}`);
    assert.match(await plain.locator('#comments form.rate .mine').innerText(), /已评3星/);
    assert.match(await plain.locator('#comments .rating-sum').innerText(), /4\.0\s*2人评分/);
    assert.deepEqual(errors, []);
  });

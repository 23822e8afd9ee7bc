// A document's page as a search engine's browser and a reader without
// JavaScript see it (issue 18, SEO): its JSON-LD is data, which the CSP
// (default-src 'self') leaves alone: the console has no CSP violation nor
// any error, and the element parses as JSON naming the document; with
// JavaScript off the page is whole: its title, its first page's image
// and the text of its pages. Run by tests/e2e/browser_seo.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './common.mjs';

const base = process.env.WY_BASE;
const docId = process.env.WY_DOC;
const title = process.env.WY_TITLE;
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('JSON-LD: no CSP violation, no console error, and it parses', async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  const messages = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') messages.push(m.text()); });
  page.on('pageerror', (e) => messages.push(String(e)));
  // a violation fires this event in the page: count them from the start
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective));
  });
  const resp = await page.goto(`${base}/doc/${docId}`);
  assert.match(resp.headers()['content-security-policy'], /default-src 'self'/);
  await page.waitForLoadState('load');
  const ld = await page.evaluate(() => {
    const el = document.querySelectorAll('script[type="application/ld+json"]');
    return { n: el.length, text: el[0]?.textContent };
  });
  assert.equal(ld.n, 1);
  const data = JSON.parse(ld.text);
  assert.equal(data['@type'], 'DigitalDocument');
  assert.equal(data.name, title);
  assert.ok(data.text.includes('</script>'), 'the text keeps its markup, as text');
  assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  assert.deepEqual(messages.filter((m) => /Content Security Policy|Refused to/i.test(m)), []);
  assert.deepEqual(messages, []);
  // nothing in the document's text ran or became an element
  assert.equal(await page.evaluate(() => document.querySelectorAll('body b').length), 0);
  await ctx.close();
});

test('without JavaScript the document page is whole', async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(`${base}/doc/${docId}`);
  assert.ok((await page.locator('h1').innerText()).includes(title), 'the title is the heading');
  const img = page.locator('#p1 img').first();
  await img.scrollIntoViewIfNeeded();
  assert.ok(await img.evaluate((i) => i.complete && i.naturalWidth > 0), 'page 1 is shown');
  assert.match(await page.locator('main').innerText(), /p4 第1行，文渊阁藏书/);
  assert.equal(await page.locator('link[rel=canonical]').getAttribute('href'), `${base}/doc/${docId}`);
  await ctx.close();
});

// Every page of the site as a visitor, a user or an admin meets it, at
// 1366x900 and as a phone (390x844, touch, 2x): no serious or critical
// axe-core violation, exactly one <h1>, one <main>, the skip link to it as
// the first thing Tab reaches, no horizontal scrolling on the phone; a
// full-page screenshot of each into WY_ARTIFACTS/screens/NAME-WIDTH.png.
// Then Lighthouse on the document page with its default (mobile) profile:
// accessibility and SEO at least 95, cumulative layout shift under 0.05;
// the performance score and metrics are printed, not asserted (timings on a
// shared machine). Run by tests/e2e/a11y.sh, which makes the library and
// sets WY_BASE, WY_DOC, WY_PRICED, WY_FAILED, WY_COLLECTION (a public
// collection of the user's), WY_ADMIN and WY_USER.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { launch, chromiumPath } from './common.mjs';
import { axeViolations } from './axe.mjs';
import { shot } from './shot.mjs';

const base = process.env.WY_BASE;
const art = process.env.WY_ARTIFACTS;

const env = (k) => { assert.ok(process.env[k], `${k} is not set`); return process.env[k]; };
const doc = env('WY_DOC');

// name, path, who (visitor, user or admin), a text the page must show (the
// search's hit, the queues' entries: the page has what it is meant to)
const pages = [
  ['home', '/', 'visitor', '党政机关公文格式范文'],
  ['category', '/category/' + encodeURIComponent('公文') + '/' + encodeURIComponent('范文'), 'visitor', '党政机关公文格式范文'],
  ['doc', `/doc/${doc}`, 'visitor', '党政机关公文格式范文'],
  ['doc-priced', `/doc/${env('WY_PRICED')}`, 'user', '会计基础练习题'],
  ['doc-failed', `/doc/${env('WY_FAILED')}`, 'user', '损坏的报告'],
  // the ratings and comments section (comments.c): a rating, a comment, the
  // uploader's reply, the forms a reader and an admin get
  ['doc-comments', `/doc/${doc}`, 'user', '这份范文的格式很规范，附件一节尤其有用。'],
  ['doc-comments-admin', `/doc/${doc}`, 'admin', '谢谢，附件格式见第十页。'],
  ['search', '/search?q=' + encodeURIComponent('公文格式'), 'visitor', '党政机关公文格式范文'],
  ['upload', '/upload', 'user'],
  ['doc-edit', `/doc/${env('WY_PRIVATE')}/edit`, 'user', '我的读书笔记'],
  ['login', '/login', 'visitor'],
  ['register', '/register', 'visitor'],
  ['reset', '/reset', 'visitor'],
  ['me', '/me', 'user', 'reader'],
  ['me-uploads', '/me/uploads', 'user', '我的读书笔记'],
  ['me-favorites', '/me/favorites', 'user', '党政机关公文格式范文'],
  ['me-downloads', '/me/downloads', 'user', '党政机关公文格式范文'],
  ['me-points', '/me/points', 'user'],
  ['me-password', '/me/password', 'user'],
  ['me-collections', '/me/collections', 'user', '公文学习资料'],
  ['collections', '/collections', 'visitor', '公文学习资料'],
  ['collection', `/collection/${env('WY_COLLECTION')}`, 'visitor', '党政机关公文格式范文'],
  ['collection-owner', `/collection/${env('WY_COLLECTION')}`, 'user', '会计基础练习题'],
  ['me-recycle', '/me/recycle', 'user'],
  ['admin', '/admin', 'admin', '转换依赖'], // the dashboard
  ['admin-reports', '/admin/reports', 'admin', '党政机关公文格式范文'],
  ['admin-review', '/admin/review', 'admin', '孙子兵法读后感'],
  ['admin-docs', '/admin/docs', 'admin', '损坏的报告'],
  ['admin-users', '/admin/users', 'admin', 'reader'],
  ['admin-settings', '/admin/settings', 'admin'],
  ['admin-groups', '/admin/groups', 'admin', '普通用户'],
  ['admin-audit', '/admin/audit', 'admin'],
  ['admin-mail', '/admin/mail', 'admin'],
  ['admin-recycle', '/admin/docs?state=3', 'admin'],
  ['admin-ledger', '/admin/ledger?user=2', 'admin', 'reader'],
  ['articles', '/articles', 'visitor', '欢迎使用文库'],
  ['article', '/article/welcome', 'visitor', '怎样上传'],
  ['article-terms', '/article/terms', 'visitor', '用户协议'],
  ['admin-articles', '/admin/articles?edit=welcome', 'admin', '欢迎使用文库'],
  ['admin-links', '/admin/links', 'admin', '示例友站'],
  ['notfound', '/no/such/page', 'visitor'],
];

const widths = [
  [1366, { viewport: { width: 1366, height: 900 } }],
  [390, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }],
];

let browser;
const contexts = {}; // `${who}@${width}` -> a browser context signed in as who

async function signIn(ctx, who) {
  if (who === 'visitor') return;
  const [name, password] = env(who === 'admin' ? 'WY_ADMIN' : 'WY_USER').split(':');
  const page = await ctx.newPage();
  await page.goto(base + '/login');
  await page.locator('input[name=name]').fill(name);
  await page.locator('input[name=password]').fill(password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.locator('input[name=password]').press('Enter')]);
  await page.close();
}

before(async () => {
  mkdirSync(`${art}/screens`, { recursive: true });
  browser = await launch();
  for (const [width, opts] of widths) {
    for (const who of ['visitor', 'user', 'admin']) {
      const ctx = await browser.newContext({ locale: 'zh-CN', ...opts });
      ctx.setDefaultTimeout(60000); // a busy machine, not a slow page: no timing is checked here
      await signIn(ctx, who);
      contexts[`${who}@${width}`] = ctx;
    }
  }
});
const findings = {}; // for WY_ARTIFACTS/a11y-findings.json: what each page lacks
after(async () => {
  await browser?.close();
  writeFileSync(`${art}/a11y-findings.json`, JSON.stringify(findings, null, 1) + '\n');
});

// Scrolls through the page a screen at a time, so that what loads when it
// comes into view (lazy page images, the reader's pages) is there for the
// full-page screenshot, waits for every image shown, and goes back to the top.
async function loadAll(page) {
  await page.evaluate(async () => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    for (let y = 0; y < document.documentElement.scrollHeight; y += window.innerHeight) {
      window.scrollTo(0, y);
      await frame();
    }
  });
  // (a lazy image in a closed <details> is not shown and never loads)
  await page.waitForFunction(() => [...document.images].every((i) => i.complete || !i.checkVisibility()),
    null, { timeout: 15000 })
    .catch(() => console.log(`# ${page.url()}: images still loading after 15 s`));
  await page.evaluate(() => window.scrollTo(0, 0));
}

// What is wrong with the page as loaded, one line each (none: []).
async function problems(page, width) {
  const found = (await axeViolations(page)).map((v) => `axe ${v}`);
  const facts = await page.evaluate(() => ({
    h1: document.querySelectorAll('h1').length,
    main: document.querySelectorAll('main').length,
    mainId: document.querySelector('main')?.id ?? null,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  if (facts.h1 !== 1) found.push(`${facts.h1} <h1> elements, not 1`);
  if (facts.main !== 1) found.push(`${facts.main} <main> elements, not 1`);
  // the skip link: the first thing Tab reaches, and it leads to the <main>
  // from the top of the page (past any autofocus): the body focused for a
  // moment, as a reader's first Tab starts from it
  await page.evaluate(() => {
    const b = document.body;
    b.setAttribute('tabindex', '-1');
    b.focus();
    b.removeAttribute('tabindex');
  });
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => {
    const a = document.activeElement;
    return a ? { tag: a.tagName.toLowerCase(), href: a.getAttribute('href'), text: a.textContent.trim() } : null;
  });
  if (!first || first.tag !== 'a' || !first.href?.startsWith('#') ||
      first.href.slice(1) !== facts.mainId || !facts.mainId)
    found.push(`first Tab stop is ${JSON.stringify(first)}, not a skip link to the <main>` +
      ` (main id ${JSON.stringify(facts.mainId)})`);
  if (width === 390 && (facts.scrollWidth > facts.innerWidth || facts.scrollWidth > 390))
    found.push(`horizontal scrolling: ${facts.scrollWidth} px wide in a ${facts.innerWidth} px window`);
  return found;
}

// two pages at a time: the browser waits on the server as much as it works
describe('every page', { concurrency: 2 }, () => {
for (const [name, path, who, shows] of pages) {
  for (const [width] of widths) {
    test(`${name} at ${width} px as ${who}`, async () => {
      const page = await contexts[`${who}@${width}`].newPage();
      try {
        const res = await page.goto(base + path, { waitUntil: 'load' });
        if (name === 'notfound') assert.equal(res.status(), 404);
        else assert.equal(res.status(), 200, `${path} answered ${res.status()}`);
        // a signed-in page must not have sent us to the login form
        assert.ok(!new URL(page.url()).pathname.startsWith('/login') || name === 'login',
          `${path} sent ${who} to ${page.url()}`);
        if (shows)
          assert.ok((await page.locator('body').innerText()).includes(shows), `${path} does not show ${shows}`);
        // the screenshot first, as a reader sees the page (before Tab shows the skip link)
        await loadAll(page);
        await shot(page, { path: `${art}/screens/${name}-${width}.png`, fullPage: true });
        const found = await problems(page, width);
        findings[`${name}-${width}`] = found;
        assert.deepEqual(found, [], `${name} at ${width} px:\n  ${found.join('\n  ')}`);
      } finally {
        await page.close();
      }
    });
  }
}
});

test('Lighthouse on the document page (mobile)', { timeout: 300000 }, async (t) => {
  let lighthouse, launchChrome;
  try {
    lighthouse = (await import('lighthouse')).default;
    ({ launch: launchChrome } = await import('chrome-launcher'));
  } catch (e) {
    t.skip(`lighthouse is not installed: ${String(e).split('\n')[0]}`);
    return;
  }
  const chrome = await launchChrome({
    chromePath: chromiumPath,
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  let result;
  try {
    result = await lighthouse(`${base}/doc/${doc}`, {
      port: chrome.port,
      output: ['json', 'html'],
      logLevel: 'error',
      // the page as the site's readers meet it: in Chinese
      extraHeaders: { 'Accept-Language': 'zh-CN,zh;q=0.9' },
      onlyCategories: ['accessibility', 'seo', 'best-practices', 'performance'],
    });
  } finally {
    await chrome.kill();
  }
  assert.ok(result?.lhr, 'lighthouse gave no result');
  const lhr = result.lhr;
  mkdirSync(`${art}/lighthouse`, { recursive: true });
  writeFileSync(`${art}/lighthouse/doc.report.json`, result.report[0]);
  writeFileSync(`${art}/lighthouse/doc.report.html`, result.report[1]);
  assert.equal(lhr.runtimeError, undefined, `lighthouse: ${JSON.stringify(lhr.runtimeError)}`);
  const score = (c) => Math.round((lhr.categories[c]?.score ?? 0) * 100);
  const metric = (a) => lhr.audits[a]?.numericValue;
  for (const c of ['accessibility', 'seo', 'best-practices', 'performance'])
    console.log(`# lighthouse ${c}: ${score(c)}`);
  const cls = metric('cumulative-layout-shift');
  console.log(`# lighthouse FCP ${Math.round(metric('first-contentful-paint'))} ms, ` +
    `LCP ${Math.round(metric('largest-contentful-paint'))} ms, ` +
    `TBT ${Math.round(metric('total-blocking-time'))} ms, CLS ${cls?.toFixed(3)}`);
  const failing = (c) => lhr.categories[c].auditRefs
    .filter((r) => r.weight > 0 && lhr.audits[r.id].score !== null && lhr.audits[r.id].score < 1)
    .map((r) => r.id).join(', ');
  for (const c of ['accessibility', 'seo', 'best-practices'])
    console.log(`# lighthouse ${c} audits failing: ${failing(c) || 'none'}`);
  assert.ok(score('accessibility') >= 95,
    `accessibility ${score('accessibility')} < 95; failing: ${failing('accessibility')}`);
  assert.ok(score('seo') >= 95, `SEO ${score('seo')} < 95; failing: ${failing('seo')}`);
  assert.ok(cls < 0.05, `cumulative layout shift ${cls} >= 0.05`);
});

// The admins' dashboard in a real browser (Debian's chromium through
// playwright-core), issue 18's "must show" 4: the admin logs in and opens
// /admin; at 1366 and at 390 px the page is screenshotted into
// WY_ARTIFACTS (dashboard-1366.png, dashboard-390.png), does not scroll
// sideways and passes axe-core; in the DOM the five SVG plots exist (role
// img, a label, a <title> a bar) and carry the figures the JSON twin
// GET /api/v1/admin/dashboard gives, as do the tables of documents,
// failures and dependencies. Then "retry all" of the reason "empty"
// (a plain form: it works without script) says how many it queued and
// the reason leaves the table. Run by tests/e2e/browser_dashboard.sh with
// WY_BASE, WY_ARTIFACTS and WY_ADMIN (name:password) set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launch } from './common.mjs';
import { shot } from './shot.mjs';
import { axeViolations } from './axe.mjs';

const base = process.env.WY_BASE;
const art = process.env.WY_ARTIFACTS;
const [adminName, adminPass] = process.env.WY_ADMIN.split(':');
let browser;

before(async () => {
  mkdirSync(art, { recursive: true });
  browser = await launch();
});
after(async () => { await browser?.close(); });

async function logIn(ctx) {
  const page = await ctx.newPage();
  await page.goto(base + '/login');
  await page.locator('input[name=name]').fill(adminName);
  await page.locator('input[name=password]').fill(adminPass);
  await page.locator('form.account button').click();
  await page.waitForURL(base + '/');
  return page;
}

// the values of a plot's bars, series by series, from the DOM
async function bars(page, id) {
  return page.locator(`svg#${id}`).evaluate((svg) => {
    const out = {};
    for (const r of svg.querySelectorAll('g.bar rect')) {
      const k = r.getAttribute('data-series') || 'value';
      (out[k] ||= []).push(Number(r.getAttribute('data-value')));
    }
    return out;
  });
}

async function overflowX(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test('the dashboard shows the JSON twin\'s figures, at 1366 and 390 px', { timeout: 180000 }, async () => {
  const errors = [];
  for (const [width, height] of [[1366, 900], [390, 844]]) {
    const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width, height } });
    const page = await logIn(ctx);
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(base + '/admin');
    const r = await page.request.get(base + '/api/v1/admin/dashboard');
    assert.equal(r.status(), 200);
    const j = await r.json();
    await shot(page, { path: `${art}/dashboard-${width}.png`, fullPage: true });

    // five plots: inline SVG, labelled images, a title for each bar
    const charts = page.locator('main svg.chart');
    assert.equal(await charts.count(), 5, 'five plots');
    for (let i = 0; i < 5; i++) {
      const c = charts.nth(i);
      assert.equal(await c.getAttribute('role'), 'img');
      assert.ok((await c.getAttribute('aria-label')).length > 2, 'a label');
      const n = await c.locator('g.bar').count();
      assert.equal(await c.locator('g.bar rect > title').count() >= n, true, 'a <title> a bar');
      assert.ok((await c.boundingBox()).width <= width, 'the plot fits the page');
    }
    // the same figures as the JSON
    for (const key of ['users', 'uploads', 'downloads', 'searches'])
      assert.deepEqual((await bars(page, `chart-${key}`)).value, j.daily[key], `${key} per day`);
    const hourly = await bars(page, 'chart-conversions');
    assert.deepEqual(hourly.ready, j.conversions_per_hour.ready, 'conversions ready per hour');
    assert.deepEqual(hourly.failed, j.conversions_per_hour.failed, 'conversions failed per hour');
    const lastUploads = page.locator('svg#chart-uploads g.bar').last().locator('rect > title');
    assert.match(await lastUploads.textContent(), new RegExp(`: ${j.daily.uploads.at(-1)}$`), 'the title says the value');
    for (const [k, v] of Object.entries(j.documents.status))
      assert.equal(await page.locator(`#dash-status tr[data-key=${k}] td`).textContent(), String(v), `status ${k}`);
    for (const [k, v] of Object.entries(j.documents.state))
      assert.equal(await page.locator(`#dash-state tr[data-key=${k}] td`).textContent(), String(v), `state ${k}`);
    for (const f of j.failures.by_reason)
      assert.equal(await page.locator(`#dash-failtable tr[data-reason=${f.reason}] td.num`).textContent(), String(f.count),
        `failures ${f.reason}`);
    assert.equal(await page.locator('#dash-failtable tr[data-reason]').count(), j.failures.by_reason.length);
    assert.equal(await page.locator('#dash-deptable tr[data-dep]').count(), j.dependencies.length, 'every dependency');
    assert.equal(await page.locator('#dash-queue td[data-key=conversions]').textContent(), String(j.queue.conversions));

    assert.ok(await overflowX(page) <= 0, `no sideways scrolling at ${width} px`);
    const v = await axeViolations(page);
    assert.deepEqual(v, [], `axe-core at ${width} px: ${JSON.stringify(v)}`);
    await ctx.close();
  }
  assert.deepEqual(errors, []);
});

test('retry all of one reason, with JavaScript off', { timeout: 120000 }, async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN', javaScriptEnabled: false, viewport: { width: 1366, height: 900 } });
  const page = await logIn(ctx);
  await page.goto(base + '/admin');
  const row = page.locator('#dash-failtable tr[data-reason=empty]');
  const n = Number(await row.locator('td.num').textContent());
  assert.ok(n >= 1, 'failures of the reason "empty" to retry');
  await Promise.all([page.waitForNavigation(), row.locator('button').click()]);
  assert.equal(new URL(page.url()).pathname, '/admin');
  assert.match(await page.locator('p.flash[role=status]').innerText(), new RegExp(`已将 ${n} 份失败的文档重新排队转换`));
  assert.equal(await page.locator('#dash-failtable tr[data-reason=empty]').count(), 0, 'the reason has no failures left');
  const j = await (await page.request.get(base + '/api/v1/admin/dashboard')).json();
  assert.ok(j.queue.conversions >= n, 'they wait in the queue');
  await shot(page, { path: `${art}/dashboard-retried.png`, fullPage: true });
  await ctx.close();
});

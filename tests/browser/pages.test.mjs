// Articles and the frame in a real browser (Debian's chromium through
// playwright-core): an admin writes an article in the admin area's form
// and a visitor reads it rendered from Markdown; the home page shows the
// header's navigation link, a banner and, in the footer, the legal pages,
// a friend link, the ICP number (to beian.miit.gov.cn) and the 公安备案
// number (to its record by its digits), at 1366 px and on a 390 px phone
// without scrolling sideways and without a serious axe-core violation.
// Screenshots of the footer and the pages go to WY_ARTIFACTS
// (pages-*.png). Run by tests/e2e/browser_pages.sh with WY_BASE and
// WY_ADMIN (name:password) set.
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

const widths = [
  [1366, { viewport: { width: 1366, height: 900 }, locale: 'zh-CN' }],
  [390, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, locale: 'zh-CN' }],
];

async function sideways(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
}

test('an admin writes an article in the admin area and a visitor reads it', async () => {
  const ctx = await browser.newContext(widths[0][1]);
  const page = await ctx.newPage();
  await page.goto(base + '/login');
  await page.locator('input[name=name]').fill(adminName);
  await page.locator('input[name=password]').fill(adminPass);
  await Promise.all([page.waitForURL(base + '/'), page.locator('form.account button').click()]);
  await page.goto(base + '/admin/articles');
  const form = page.locator('form.articleform');
  await form.locator('input[name=title]').fill('开馆通知');
  await form.locator('input[name=slug]').fill('opening');
  await form.locator('select[name=kind]').selectOption('notice');
  await form.locator('textarea[name=body_md]').fill('## 开放时间\n\n每天 **9:00** 开放。\n\n<script>document.title="hacked"</script>\n\n[脚本](javascript:alert(1))');
  await Promise.all([page.waitForNavigation(), form.locator('button[value=article_save]').click()]);
  assert.match(await page.locator('p.flash').innerText(), /已保存/);
  await ctx.close();

  for (const [width, opts] of widths) {
    const visitor = await browser.newContext(opts);
    const p = await visitor.newPage();
    const r = await p.goto(base + '/article/opening');
    assert.equal(r.status(), 200);
    assert.equal(await p.locator('h1').innerText(), '开馆通知');
    assert.equal(await p.locator('.prose h2').innerText(), '开放时间');
    assert.equal(await p.locator('.prose strong').innerText(), '9:00');
    assert.notEqual(await p.title(), 'hacked', 'the script an admin wrote does not run');
    assert.equal(await p.locator('.prose script').count(), 0);
    assert.equal(await p.locator('.prose a[href^="javascript"]').count(), 0);
    assert.equal(await sideways(p), false, `no sideways scrolling at ${width} px`);
    assert.deepEqual(await axeViolations(p), [], `axe at ${width} px`);
    await shot(p, { path: `${art}/pages-article-${width}.png`, fullPage: true });
    await p.goto(base + '/articles');
    assert.ok(await p.locator('ul.articles a[href="/article/opening"]').count());
    assert.deepEqual(await axeViolations(p), [], `the list: axe at ${width} px`);
    await visitor.close();
  }
});

test('the home page: navigation, banner and the footer with its licence numbers', async () => {
  for (const [width, opts] of widths) {
    const ctx = await browser.newContext(opts);
    const page = await ctx.newPage();
    await page.goto(base + '/');
    const nav = page.locator('nav.sitenav a');
    assert.equal(await nav.first().innerText(), '公告与帮助');
    assert.equal(await page.locator('ul.banners img').getAttribute('src'), '/static/favicon.svg');
    const footer = page.locator('footer');
    for (const [slug, text] of [['terms', '用户协议'], ['privacy', '隐私政策'], ['disclaimer', '免责声明']])
      assert.equal(await footer.locator(`a[href="/article/${slug}"]`).innerText(), text);
    const icp = footer.locator('a[href="https://beian.miit.gov.cn/"]');
    assert.equal(await icp.innerText(), '京ICP备12345678号-1');
    const psb = footer.locator('a.psb');
    assert.equal(await psb.innerText(), '京公网安备11010502030143号');
    assert.equal(await psb.getAttribute('href'), 'https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143');
    assert.equal(await footer.locator('nav.friends a').innerText(), '示例友站');
    assert.ok(await footer.isVisible());
    assert.equal(await sideways(page), false, `no sideways scrolling at ${width} px`);
    assert.deepEqual(await axeViolations(page), [], `axe at ${width} px`);
    await footer.scrollIntoViewIfNeeded();
    await shot(footer, { path: `${art}/pages-footer-${width}.png` });
    await shot(page, { path: `${art}/pages-home-${width}.png`, fullPage: true });
    await ctx.close();
  }
});

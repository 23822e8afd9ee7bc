// Registering with a captcha, in a real browser (Debian's chromium through
// playwright-core), on the test build (build/wenyuan-test): the answer is
// read from the X-Wenyuan-Test-Captcha header of the captcha's image, as
// only a test build sends it. With JavaScript: 换一张 swaps the image in
// place, a wrong answer brings the form back with a new captcha and the
// name kept, the right one registers (the flash line says so). Without
// JavaScript: 换一张 draws the form anew and the form registers. The form
// passes axe-core and fits 390 px; screenshots in WY_ARTIFACTS. Run by
// tests/e2e/browser_captcha.sh with WY_BASE set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launch } from './common.mjs';
import { shot } from './shot.mjs';
import { axeViolations } from './axe.mjs';

const base = process.env.WY_BASE;
const art = process.env.WY_ARTIFACTS;
const IMG = /\/captcha\/([0-9a-f]{32})\.png$/;
let browser;

before(async () => {
  mkdirSync(art, { recursive: true });
  browser = await launch();
});
after(async () => { await browser?.close(); });

// The answer of the next captcha image the page loads, through the hook.
function nextAnswer(page) {
  return page.waitForResponse(r => IMG.test(new URL(r.url()).pathname))
    .then(r => ({ id: IMG.exec(new URL(r.url()).pathname)[1], answer: r.headers()['x-wenyuan-test-captcha'] }));
}

async function fill(page, name, password) {
  await page.locator('input[name=name]').fill(name);
  await page.locator('input[name=password]').fill(password);
  await page.locator('input[name=password2]').fill(password);
}

test('register through the form with a captcha (JavaScript on)', async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  let cap = nextAnswer(page);
  await page.goto(base + '/register');
  let c = await cap;
  assert.match(c.answer, /^[ACDEFHJKLMNPRTUVWXY37]{5}$/);
  assert.equal(await page.locator('input[name=captcha_id]').inputValue(), c.id);
  const img = page.locator('img.captcha-img');
  await img.evaluate(el => el.decode());
  assert.equal(await img.evaluate(el => el.naturalWidth), 160);
  assert.equal(await page.getByLabel('验证码', { exact: true }).count(), 1, 'the input has its label');
  assert.deepEqual(await axeViolations(page), []);
  await shot(page, { path: `${art}/captcha-register.png`, fullPage: true });

  // 换一张: a new image and id in place, no navigation
  cap = nextAnswer(page);
  await page.locator('a.captcha-again').click();
  const c2 = await cap;
  assert.notEqual(c2.id, c.id);
  await page.waitForFunction(id => document.querySelector('input[name=captcha_id]').value === id, c2.id);
  assert.equal(page.url(), base + '/register');

  // a wrong answer: the form again, saying so, with a new captcha
  await fill(page, 'yanzheng1', 'secret-pass-1');
  cap = nextAnswer(page);
  await page.locator('input[name=captcha]').fill(c2.answer === 'AAAAA' ? 'CCCCC' : 'AAAAA');
  await page.locator('form.account button').click();
  const c3 = await cap;
  await assert.doesNotReject(page.locator('#formerror').waitFor());
  assert.match(await page.locator('#formerror').innerText(), /验证码错误或已过期/);
  assert.equal(await page.locator('input[name=name]').inputValue(), 'yanzheng1');
  assert.equal(await page.locator('input[name=captcha_id]').inputValue(), c3.id);

  // the right one (typed in small letters) registers
  await page.locator('input[name=password]').fill('secret-pass-1');
  await page.locator('input[name=password2]').fill('secret-pass-1');
  await page.locator('input[name=captcha]').fill(c3.answer.toLowerCase());
  await page.locator('form.account button').click();
  await page.waitForURL(base + '/');
  assert.equal(await page.locator('header .myname').innerText(), 'yanzheng1');
  assert.equal((await page.locator('p.flash[role=status]').innerText()).trim(), '注册成功，欢迎');
  await ctx.close();
});

test('the form fits a phone (390 px)', async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
  const page = await ctx.newPage();
  const cap = nextAnswer(page);
  await page.goto(base + '/register');
  await cap;
  const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(over, 0, 'no sideways scrolling');
  await shot(page, { path: `${art}/captcha-register-390.png`, fullPage: true });
  await ctx.close();
});

test('register with JavaScript off: 换一张 draws the form anew', async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN', javaScriptEnabled: false });
  const page = await ctx.newPage();
  let cap = nextAnswer(page);
  await page.goto(base + '/register');
  const c = await cap;
  cap = nextAnswer(page);
  await page.locator('a.captcha-again').click();
  const c2 = await cap;
  assert.notEqual(c2.id, c.id);
  assert.equal(await page.locator('input[name=captcha_id]').inputValue(), c2.id);
  await fill(page, 'yanzheng2', 'secret-pass-2');
  await page.locator('input[name=captcha]').fill(c2.answer);
  await page.locator('form.account button').click();
  await page.waitForURL(base + '/');
  assert.equal(await page.locator('header .myname').innerText(), 'yanzheng2');
  await ctx.close();
});

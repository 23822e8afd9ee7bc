// Email in a real browser (Debian's chromium through playwright-core),
// with a real SMTP server on loopback: register with an address, open the
// verification link from the mail that arrived, see /me say the address is
// verified; log out, ask for a reset from the login page's link, open the
// emailed link, set a new password, log in with it, and see the link
// refused a second time, and a link refused once it has expired. The
// registration and the reset request ask for the captcha drawn by the
// server: the test build (build/wenyuan-test) gives each image's answer in
// the X-Wenyuan-Test-Captcha header, which the test reads as the image
// loads. The forms pass axe-core at 1366 and 390 px without sideways
// scrolling; the admin's mail tab shows the mail sent. Screenshots into
// WY_ARTIFACTS/mail/. Run by tests/e2e/browser_mail.sh with WY_BASE,
// WY_BASE_SHORT (a second server on the same store whose reset links live
// 2 seconds), WY_MAILBOX (the directory smtpd.py writes) and
// WY_ADMIN_PASSWORD set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from './common.mjs';
import { shot } from './shot.mjs';
import { axeViolations } from './axe.mjs';

const base = process.env.WY_BASE;
const art = join(process.env.WY_ARTIFACTS, 'mail');
const mbox = process.env.WY_MAILBOX;
let browser;

before(async () => {
  mkdirSync(art, { recursive: true });
  browser = await launch();
});
after(async () => { await browser?.close(); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The answer of the next captcha image the page loads (the test build's
// hook), to be awaited after the page that shows it has loaded.
const IMG = /\/captcha\/([0-9a-f]{32})\.png$/;
function nextCaptcha(page) {
  return page.waitForResponse((r) => IMG.test(new URL(r.url()).pathname))
    .then((r) => r.headers()['x-wenyuan-test-captcha']);
}

// Message n (1, 2, ...) once it has arrived (at most 30 s): its headers
// and its body decoded from base64.
async function mail(n) {
  const name = String(n).padStart(4, '0') + '.eml';
  for (let i = 0; i < 300; i++) {
    if (readdirSync(mbox).includes(name)) {
      const raw = readFileSync(join(mbox, name), 'latin1');
      const [head, body] = raw.split('\r\n\r\n', 2);
      assert.match(head, /^Content-Transfer-Encoding: base64$/m);
      return { head, body: Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') };
    }
    await sleep(100);
  }
  assert.fail(`mail ${n} did not arrive`);
}

function linkIn(m, path) {
  const found = m.body.match(new RegExp(`http://\\S+/${path}/[0-9a-f]{64}`));
  assert.ok(found, `a /${path}/ link in: ${m.body}`);
  return found[0];
}

// No serious axe finding, and no sideways scrolling as a phone.
async function checkPage(page, name) {
  for (const [w, h] of [[1366, 900], [390, 844]]) {
    await page.setViewportSize({ width: w, height: h });
    const v = await axeViolations(page);
    assert.deepEqual(v, [], `${name} at ${w}px: ${JSON.stringify(v)}`);
    const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(over <= 0, `${name} scrolls sideways at ${w}px by ${over}px`);
    await shot(page, { path: join(art, `${name}-${w}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1366, height: 900 });
}

test('register with an address, verify it, reset the password by mail', { timeout: 180000 }, async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  // ---- registration with an address ----
  let captcha = nextCaptcha(page);
  await page.goto(base + '/register');
  const answer1 = await captcha;
  assert.match(answer1, /^[A-Z0-9]{5}$/);
  await page.locator('input[name=captcha]').fill(answer1);
  await page.locator('input[name=name]').fill('林黛玉');
  await page.locator('input[name=password]').fill('daiyu-pass-1');
  await page.locator('input[name=password2]').fill('daiyu-pass-1');
  await page.locator('input[name=email]').fill('daiyu@example.org');
  await checkPage(page, 'register');
  await page.locator('form.account button').click();
  await page.waitForURL(base + '/');
  assert.equal(await page.locator('header .myname').innerText(), '林黛玉');

  const m1 = await mail(1);
  assert.match(m1.head, /^To: <daiyu@example\.org>$/m);
  assert.match(m1.body, /林黛玉/);
  await page.goto(base + '/me');
  assert.match(await page.locator('#email').innerText(), /未验证/);
  await checkPage(page, 'me-unverified');

  // ---- the emailed link ----
  await page.goto(linkIn(m1, 'verify'));
  assert.equal(await page.locator('h1').innerText(), '邮箱已验证');
  await shot(page, { path: join(art, 'verified.png') });
  await page.goto(base + '/me');
  assert.match(await page.locator('#email').innerText(), /daiyu@example\.org\s*已验证/);
  await shot(page, { path: join(art, 'me-verified.png'), fullPage: true });

  // ---- log out, and reset the password from the login page ----
  await page.locator('form[action="/logout"] button').click();
  await page.waitForURL(base + '/');
  await page.goto(base + '/login');
  captcha = nextCaptcha(page);
  await page.getByRole('link', { name: '忘记密码？' }).click();
  await page.waitForURL(base + '/reset');
  const answer2 = await captcha;
  await checkPage(page, 'reset-ask');
  await page.locator('input[name=who]').fill('daiyu@example.org');
  await page.locator('input[name=captcha]').fill(answer2);
  await page.locator('form.account button').click();
  assert.match(await page.locator('p.message').innerText(), /如果该账户存在并已验证邮箱/);
  await shot(page, { path: join(art, 'reset-asked.png') });

  const m2 = await mail(2);
  const link = linkIn(m2, 'reset');
  await page.goto(link);
  assert.equal(await page.locator('h1').innerText(), '设置新密码');
  await checkPage(page, 'reset-set');
  await page.locator('input[name=password]').fill('daiyu-new-22');
  await page.locator('input[name=password2]').fill('daiyu-new-22');
  await page.locator('form.account button').click();
  assert.equal(await page.locator('h1').innerText(), '密码已重置');
  await shot(page, { path: join(art, 'reset-done.png') });

  // ---- the new password logs in; the link works no more ----
  await page.goto(base + '/login');
  await page.locator('input[name=name]').fill('林黛玉');
  await page.locator('input[name=password]').fill('daiyu-new-22');
  await page.locator('form.account button').click();
  await page.waitForURL(base + '/');
  assert.equal(await page.locator('header .myname').innerText(), '林黛玉');
  const again = await page.goto(link);
  assert.equal(again.status(), 410);
  assert.equal(await page.locator('h1').innerText(), '链接已失效');
  assert.match(await page.locator('p.message').innerText(), /已经用过或已过期/);
  await checkPage(page, 'reset-refused');

  // ---- a link that has expired: asked on the server whose links live
  // 2 seconds, opened until it is refused (at most 30 s) ----
  const short = process.env.WY_BASE_SHORT;
  await page.locator('form[action="/logout"] button').click();
  await page.waitForURL(base + '/');
  captcha = nextCaptcha(page);
  await page.goto(short + '/reset');
  await page.locator('input[name=who]').fill('林黛玉');
  await page.locator('input[name=captcha]').fill(await captcha);
  await page.locator('form.account button').click();
  assert.match(await page.locator('p.message').innerText(), /如果该账户存在并已验证邮箱/);
  const m3 = await mail(3);
  const late = linkIn(m3, 'reset');
  let status = 0;
  for (let i = 0; i < 300 && status !== 410; i++) {
    status = (await page.goto(late)).status();
    if (status !== 410) await sleep(100);
  }
  assert.equal(status, 410, 'the expired link is refused');
  assert.equal(await page.locator('h1').innerText(), '链接已失效');
  await shot(page, { path: join(art, 'reset-expired.png') });
  // ... and it sets no password: the one set above still logs in
  await page.goto(base + '/login');
  await page.locator('input[name=name]').fill('林黛玉');
  await page.locator('input[name=password]').fill('daiyu-new-22');
  await page.locator('form.account button').click();
  await page.waitForURL(base + '/');
  assert.deepEqual(errors, []);
  await ctx.close();

  // ---- the admin sees both mails sent ----
  const admin = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
  const ap = await admin.newPage();
  await ap.goto(base + '/login');
  await ap.locator('input[name=name]').fill('boss');
  await ap.locator('input[name=password]').fill(process.env.WY_ADMIN_PASSWORD);
  await ap.locator('form.account button').click();
  await ap.waitForURL(base + '/');
  // the mails arrived; their rows say sent once the sender has written it
  for (let i = 0; i < 100; i++) {
    await ap.goto(base + '/admin/mail');
    if (/已发送 3/.test(await ap.locator('.admincounts').innerText())) break;
    await sleep(100);
  }
  assert.match(await ap.locator('.admincounts').innerText(), /已发送 3/);
  await ap.locator('input[name=to]').fill('boss@example.org');
  await ap.locator('form[action="/admin/mail_test"] button').click();
  await ap.waitForURL(base + '/admin/mail');
  const m4 = await mail(4);
  assert.match(m4.head, /^To: <boss@example\.org>$/m);
  await ap.reload();
  await checkPage(ap, 'admin-mail');
  await admin.close();
});

// What the browser tests share: Debian's chromium as each starts it
// (WY_CHROMIUM, else /usr/bin/chromium: no sandbox, as CI runs as root,
// nothing that reaches the network on its own), and registering an
// account through the site's form.
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.WY_CHROMIUM || '/usr/bin/chromium';

export function launch() {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Register NAME through /register in a new page of ctx, as a visitor
// does; the page, on the home page it is sent to.
export async function register(ctx, base, name, password) {
  const page = await ctx.newPage();
  await page.goto(base + '/register');
  await page.locator('input[name=name]').fill(name);
  await page.locator('input[name=password]').fill(password);
  await page.locator('input[name=password2]').fill(password);
  await page.locator('form.account button').click();
  await page.waitForURL(base + '/');
  return page;
}

// Debian's chromium as every browser test starts it (WY_CHROMIUM, else
// /usr/bin/chromium): no sandbox (CI runs as root), nothing that reaches
// the network on its own.
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.WY_CHROMIUM || '/usr/bin/chromium';

export function launch() {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Screenshots are what the tests leave for people to look at (WY_ARTIFACTS),
// not what they check: Chromium under load sometimes answers "Unable to
// capture screenshot", which must not fail a test whose assertions passed.
// Tried twice; a second failure is reported and the test goes on.
export async function shot(page, opts) {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.screenshot(opts);
      return;
    } catch (e) {
      if (attempt >= 2) {
        console.log(`# screenshot ${opts.path} not taken: ${String(e).split('\n')[0]}`);
        return;
      }
    }
  }
}

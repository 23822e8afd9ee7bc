// Accessibility checks with axe-core, run inside the page under test: the
// violations of impact "serious" or "critical" (WCAG 2.1 A and AA rules and
// axe's best practices), one line each, ready for an assertion message.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export async function axeViolations(page) {
  // evaluated through the debugger, which the page's CSP does not govern
  await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const r = await globalThis.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }));
  });
  return found.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.impact} ${v.id}: ${v.help} (${v.nodes.join(', ')})`);
}

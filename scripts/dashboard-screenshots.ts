// `npm run screenshots`: docs/dashboard/<page>.png, one per dashboard page, taken in
// headless chromium at a 1366x768 laptop's width against the same small network the
// browser test uses (test/support/dashboard-network.ts). Needs `npm run build` first.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tokens } from '../src/chain/parameters.ts';
import { repoRoot } from '../src/repo-root.ts';
import { launchChromium } from '../test/support/browser.ts';
import { startDashboardNetwork } from '../test/support/dashboard-network.ts';

const outDir = join(repoRoot(), 'docs', 'dashboard');
mkdirSync(outDir, { recursive: true });

const browser = await launchChromium();
const network = await startDashboardNetwork({ endpoint: 'http://127.0.0.1:9' });
try {
  // A few more deposits, so that the charts have more than one bar.
  for (const amount of ['3', '5', '2.5']) await network.deposit(tokens(amount));
  await network.indexer.syncOnce();
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await page.goto(`${network.api.url}/#/overview`);
  const paths = await page.locator('nav a').evaluateAll((links) => links.map((a) => (a.getAttribute('href') ?? '').replace('#/', '')));
  for (const path of paths) {
    // The requests page shows a search for the disputed receipt.
    const query = path === 'requests' ? `?hash=${network.receiptId}` : '';
    await page.goto(`${network.api.url}/#/${path}${query}`);
    await page.reload();
    await page.locator('main h1').waitFor();
    await page.waitForFunction("document.querySelectorAll('[aria-busy]').length === 0 && !document.body.innerText.includes('…\\n')");
    const file = join(outDir, `${path}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`saved ${file}`);
  }
} finally {
  await browser.close();
  await network.stop();
}

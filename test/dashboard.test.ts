// The dashboard in a real browser (headless chromium, playwright-core) against a real
// indexed chain: each page shows what the chain holds (a zk request made through the SDK
// with its proof status, a training round's availability demand among them), search
// finds a disputed receipt and names what is wrong with a bad hash, the keyboard reaches
// every page, and a deposit made on chain appears on an open page without a reload.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { tokens } from '../src/chain/parameters.ts';
import { launchChromium } from './support/browser.ts';
import { HOSTILE_ENDPOINT, startDashboardNetwork, type DashboardNetwork } from './support/dashboard-network.ts';

/** The page's globals the focus check reads (the root tsconfig has no DOM types, so they are reached through globalThis). */
type Focus = {
  document: { activeElement: { matches(selector: string): boolean; textContent: string | null } | null };
  getComputedStyle(element: unknown): { outlineStyle: string };
};

describe('the dashboard', () => {
  let network: DashboardNetwork;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const open = async (path: string) => {
    await page.goto(`${network.api.url}/#/${path}`);
    await page.locator('main h1').waitFor();
  };
  const main = () => page.locator('main');

  before(async () => {
    // The browser first: a machine without chromium fails at once, saying how to install it.
    browser = await launchChromium();
    network = await startDashboardNetwork();
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.on('pageerror', (error) => errors.push(error.message));
  });
  after(async () => {
    await browser?.close();
    await network?.stop();
  });

  test('overview: totals from the chain and the activity charts', async () => {
    await open('overview');
    await main().getByText('in good standing').first().waitFor();
    const totals = main().locator('.figures');
    assert.match(await totals.innerText(), /Providers\s+3\b/, 'the honest, the faulty and the proving provider');
    assert.match(await totals.innerText(), /Disputes open \/ resolved\s+0 \/ 1/);
    assert.ok((await main().locator('figure svg[role="img"]').count()) >= 3, 'charts are drawn');
    assert.match(await main().innerText(), new RegExp(network.honestProvider));
  });

  test('providers: the address and the stake read from the chain, the slash of the faulty one', async () => {
    await open('providers');
    const honest = main().getByRole('region', { name: `Provider ${network.honestProvider}` });
    await honest.waitFor();
    assert.match(await honest.innerText(), /Active stake\s+750 tUSD/);
    // Reputation, prices by model name and slashes come with each provider's row of the one list read.
    assert.match(await honest.innerText(), /Reputation\s+redeemed: 1\.5 tUSD/);
    const faulty = main().getByRole('region', { name: `Provider ${network.faultyProvider}` });
    const price = faulty.getByRole('table', { name: /Prices of provider/ }).getByRole('row', { name: /digits-mlp/ });
    assert.match(await price.innerText(), /digits-mlp\s+0\.01 tUSD/);
    assert.match(await faulty.innerText(), /in 1 slash\(es\)/);
    assert.equal(
      await faulty
        .getByRole('table', { name: /Slashes of provider/ })
        .locator('tbody tr')
        .count(),
      1,
    );
    // A provider's endpoint is whatever it registered: shown as text, never run as markup.
    await honest.getByText(HOSTILE_ENDPOINT, { exact: true }).waitFor();
    assert.equal(await main().locator('img').count(), 0);
    assert.equal(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned), undefined);
  });

  test('models: owner, royalty, package and the provider serving it', async () => {
    await open('models');
    const row = main()
      .locator('table')
      .first()
      .getByRole('row', { name: /digits-mlp/ });
    await row.waitFor();
    assert.match(await row.innerText(), /0 %/);
    // The provider serving it and its price, and what its redemption earned: joined into the model's row.
    assert.match(await row.innerText(), new RegExp(`${network.faultyProvider.slice(0, 8)}\\S*\\s+0\\.01 tUSD`));
    const earned = main()
      .getByRole('figure')
      .filter({ hasText: 'Earned by providers per model' })
      .getByRole('row', { name: /digits-mlp/ });
    assert.match(await earned.innerText(), /digits-mlp\s+1\.\d+ tUSD/, 'the honest redemption of 1.5 tUSD, less the protocol fee');
  });

  test('disputes: every move, the disputed layer and element, the outcome and payouts', async () => {
    await open('disputes');
    const card = main().getByRole('region', { name: `Dispute ${network.disputeId}` });
    await card.getByText('StepExecuted').waitFor();
    const text = await card.innerText();
    for (const move of ['DisputeOpened', 'RootsRevealed', 'LayerChosen', 'ElementNamed', 'StepExecuted', 'DisputeResolved'])
      assert.match(text, new RegExp(move));
    assert.match(text, /resolved: provider computed wrong, provider lost/);
    assert.match(text, /Disputed layer and element\s+layer \d+, element \d+/);
    assert.match(text, /penalty/, 'the payouts are listed');
  });

  test('search by a receipt hash finds the disputed receipt; a bad hash is named as bad', async () => {
    await open('requests');
    const input = main().getByLabel('Transaction, receipt, dispute or model hash');
    await input.fill(network.receiptId);
    await input.press('Enter');
    const found = main().getByLabel('Search result');
    await found.getByText(/disputed, resolved: provider computed wrong/).waitFor();
    assert.match(await found.innerText(), new RegExp(network.receiptId));

    await input.fill('0x1234');
    await input.press('Enter');
    const alert = main().getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /"0x1234" is not a 32-byte hash: expected 0x and 64 hex digits, got 4 characters after 0x/);

    const unknown = `0x${'ab'.repeat(32)}`;
    await input.fill(unknown);
    await input.press('Enter');
    await main().getByText('HASH_NOT_FOUND').waitFor();
    assert.match(await main().getByRole('alert').innerText(), /Nothing in the index has the hash 0xabab/);
  });

  test('payments and the matrix heatmaps', async () => {
    await open('payments');
    await main().getByRole('cell', { name: 'redemption' }).waitFor();
    assert.match(await main().innerText(), /1\.5 tUSD/);
    assert.match(await main().innerText(), /gas: not indexed yet/, 'says what the index lacks');
    await open('matrix');
    await main()
      .getByRole('table', { name: /Trellis, derived from this repository/ })
      .waitFor();
    assert.equal(await main().locator('table.heatmap').count(), 3);
    assert.equal(await main().locator('table.heatmap').first().locator('tbody td').count(), 9);
  });

  test('agents: the identity, the limit and what the period spent, the payments, the reputation', async () => {
    await open('agents');
    const identities = main().getByRole('table', { name: 'Agent identities' });
    await identities.getByText('ipfs://agent-card').waitFor();
    // An identity's validations load after its row: wait for them, not just the row.
    await identities.getByText(/card: 90\/100/).waitFor();
    assert.match(await identities.innerText(), /card: 90\/100/);
    const limits = main().getByRole('table', { name: 'Spend limits' });
    await limits.getByText('1.75 tUSD', { exact: false }).waitFor();
    assert.match(await limits.innerText(), /5 tUSD per 24 h/);
    assert.match(await limits.innerText(), /revoked/);
    assert.equal(await main().getByRole('table', { name: 'Agent payments' }).locator('tbody tr').count(), 2);
    const reputation = main().getByRole('table', { name: 'Reputation' });
    assert.match(await reputation.innerText(), new RegExp(`${network.honestProvider}\\s+1\\s+redeemed: 1\\.5 tUSD`));
  });

  test('training: who submitted, the aggregate CID, the challenge and slash, the rewards', async () => {
    await open('training');
    const task = main().getByRole('region', { name: `Training task ${network.training.taskId}` });
    await task.getByText('reward credited').first().waitFor();
    const text = await task.innerText();
    assert.match(text, /ipfs:\/\/aggregate\b/);
    assert.match(text, /\(3\)/, 'three submissions');
    assert.match(text, /aggregate proven wrong/);
    assert.match(text, /aggregator slashed/);
    // The availability game under its round: the demand on participant 0's update, answered.
    const demands = task.getByRole('table', { name: `Availability demands of task ${network.training.taskId}, round 1` });
    const demand = demands.getByRole('row', { name: new RegExp(`#${network.training.demand.id}\\b`) });
    assert.match(await demand.innerText(), /update of participant 0\s+1\s+.*answered: opened on chain/s);
    assert.match(await demand.innerText(), new RegExp(network.training.demand.answerer.slice(0, 8), 'i'));
    // Round 2: a demand left unanswered voided the post; the round closed empty.
    const { unanswered } = network.training;
    const silent = task
      .getByRole('table', { name: `Availability demands of task ${network.training.taskId}, round 2` })
      .getByRole('row', { name: new RegExp(`#${unanswered.id}\\b`) });
    assert.match(await silent.innerText(), /update of participant 1\s+3\s+.*unanswered: committer slashed, post void/s);
    const rounds = task.getByRole('table', { name: `Rounds of task ${network.training.taskId}` });
    assert.match(await rounds.getByRole('row').nth(2).innerText(), /^2\s+empty\s+/);
    assert.match(text, /participant slashed/);
  });

  test('zk: the verifier and commitment of the model, and the zk request made through the SDK with its proof status', async () => {
    await open('zk');
    const verifiers = main().getByRole('table', { name: 'zk verifiers' });
    const model = verifiers.getByRole('row', { name: /breast-cancer-mlp/ });
    await model.waitFor();
    assert.match(await model.innerText(), new RegExp(network.zk.verifier.slice(0, 8), 'i'));
    assert.match(await model.innerText(), new RegExp(network.zk.commitment.toString().slice(0, 8)));
    const request = main()
      .getByRole('table', { name: 'zk requests' })
      .getByRole('row', { name: new RegExp(network.zk.requestHash.slice(0, 8), 'i') });
    await request.waitFor();
    assert.match(await request.innerText(), /breast-cancer-mlp/);
    assert.match(await request.innerText(), new RegExp(network.zk.provider.slice(0, 8), 'i'));
    assert.match(await request.innerText(), /proof bound to the receipt/);
    await main().getByText('No provider was slashed for a zk receipt.').waitFor();
  });

  test('the keyboard reaches every page link, with a visible focus', async () => {
    await open('overview');
    const links = await page.locator('nav a').evaluateAll((as) => as.map((a) => a.textContent));
    assert.equal(links.length, 10);
    const reached = new Set<string>();
    for (let i = 0; i < 14 && reached.size < links.length; i++) {
      await page.keyboard.press('Tab');
      // One read per key press: which page link has the focus, and its outline.
      const focused = await page.evaluate(() => {
        const window = globalThis as unknown as Focus;
        const element = window.document.activeElement;
        return element?.matches('nav a') ? { text: element.textContent ?? '', outline: window.getComputedStyle(element).outlineStyle } : null;
      });
      if (focused) {
        assert.notEqual(focused.outline, 'none', `${focused.text} shows its focus`);
        reached.add(focused.text);
      }
    }
    assert.deepEqual([...reached].sort(), [...links].sort());
    // Enter on a focused link opens its page.
    await page.keyboard.press('Enter');
    await page.locator('main h1', { hasText: 'Synergy matrix' }).waitFor();
  });

  test('a deposit made on chain appears on the open page without a reload', async () => {
    await open('payments');
    await main().getByRole('cell', { name: 'redemption' }).waitFor();
    await page.getByTestId('live').getByText('live', { exact: true }).waitFor();
    await page.evaluate(() => {
      (globalThis as unknown as { marker: boolean }).marker = true;
    });
    await network.deposit(tokens('4.2'));
    await main().getByRole('cell', { name: '4.2 tUSD', exact: true }).waitFor();
    assert.equal(await page.evaluate(() => (globalThis as unknown as { marker?: boolean }).marker), true, 'the page was not reloaded');
    assert.deepEqual(errors, [], 'no script errors in the page');
  });
});

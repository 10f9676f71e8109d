// Settlement on a real anvil with a voucher the escrow refuses next to good ones (a
// forged signature, slipped into the provider's voucher journal): the provider is
// still paid for every good voucher in the same round, including the good voucher the
// forged one claimed to supersede on its channel; the bad one is dropped with the
// contract's reason, and neither another round nor a restart sends it again.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { keccak256, toHex, type Address, type Hex } from 'viem';
import { connectDevSigner, type SignerConnection } from '../src/chain/connect.ts';
import { escrowAbi } from '../src/chain/generated/Escrow.ts';
import { startLocalChain, type LocalChain } from '../src/chain/local-chain.ts';
import { tokens } from '../src/chain/parameters.ts';
import { silentLogger, type Logger } from '../src/log.ts';
import { signVoucher, type SignedVoucher } from '../src/payments/voucher.ts';
import { toWire } from '../src/protocol/wire.ts';
import { Ledger } from '../src/provider/ledger.ts';
import { defaultSettlement, Settlement } from '../src/provider/settlement.ts';
import { deposit } from '../src/sdk/accounts.ts';

const modelA = keccak256(toHex('model a'));
const modelB = keccak256(toHex('model b'));

/** A logger that keeps its warnings, to read the reason given for a drop. */
function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const logger = {
    ...silentLogger,
    warnings,
    warn: (message: string, fields: Record<string, unknown> = {}) =>
      void warnings.push(`${message} ${JSON.stringify(fields, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`),
    child: () => logger,
  };
  return logger;
}

describe('settlement with a voucher the escrow refuses', () => {
  let chain: LocalChain;
  let dataDir: string;
  let provider: SignerConnection;
  let honest: SignerConnection;
  let other: SignerConnection;
  let forger: SignerConnection;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'trellis-settle-'));
    chain = await startLocalChain({ dataDir: join(dataDir, 'net'), port: 0, fresh: true });
    const signer = (index: number) => connectDevSigner(chain.rpcUrl, index, chain.deployment.chainId);
    [provider, honest, other, forger] = (await Promise.all([2, 1, 7, 6].map(signer))) as [
      SignerConnection,
      SignerConnection,
      SignerConnection,
      SignerConnection,
    ];
    await deposit(honest, chain.deployment, tokens('10'));
    await deposit(other, chain.deployment, tokens('10'));
  });
  after(async () => {
    await chain?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the good vouchers are redeemed in the same round; the refused one is dropped for good', async () => {
    const domain = { chainId: chain.deployment.chainId, escrow: chain.deployment.contracts.escrow };
    const voucherOf = (signer: SignerConnection, client: Address, modelId: Hex, amount: bigint) =>
      signVoucher(signer.account, domain, { client, provider: provider.account.address, modelId, cumulativeAmount: amount });
    const good1 = await voucherOf(honest, honest.account.address, modelA, tokens('1'));
    const good2 = await voucherOf(other, other.account.address, modelA, tokens('2'));
    const earlier = await voucherOf(honest, honest.account.address, modelB, tokens('0.5'));
    // Claims to be from `honest`, on top of `earlier`, but signed by someone else.
    const forged = await voucherOf(forger, honest.account.address, modelB, tokens('5'));
    const ledgerDir = join(dataDir, 'provider');
    const write = (s: SignedVoucher) =>
      appendFileSync(join(ledgerDir, 'vouchers.jsonl'), `${JSON.stringify({ ...toWire(s.voucher), signature: s.signature })}\n`);
    new Ledger(ledgerDir).close();
    for (const s of [good1, earlier, forged, good2]) write(s);

    const ledger = new Ledger(ledgerDir);
    assert.equal(ledger.redeemable().length, 3);
    const log = recordingLogger();
    const escrow = chain.deployment.contracts.escrow;
    await new Settlement(provider, escrow, ledger, defaultSettlement, log).redeem(true);

    const redeemed = (client: Address, modelId: Hex) =>
      provider.publicClient.readContract({ address: escrow, abi: escrowAbi, functionName: 'redeemed', args: [client, provider.account.address, modelId] });
    assert.equal(await redeemed(honest.account.address, modelA), tokens('1'), 'the first good voucher is paid');
    assert.equal(await redeemed(other.account.address, modelA), tokens('2'), 'the second good voucher is paid');
    assert.equal(await redeemed(honest.account.address, modelB), tokens('0.5'), 'the forged voucher moved nothing; the one it claimed to supersede is paid');
    const balance = (client: Address) => provider.publicClient.readContract({ address: escrow, abi: escrowAbi, functionName: 'balanceOf', args: [client] });
    assert.equal(await balance(honest.account.address), tokens('8.5'), 'the honest client paid only what it signed');
    assert.ok(
      log.warnings.some((w) => w.includes('voucher refused by the escrow') && w.includes('EscrowInvalidSignature')),
      `the drop names the contract's reason: ${log.warnings.join(' | ')}`,
    );
    assert.deepEqual(ledger.redeemable(), []);

    // Neither a second round nor a restart sends the refused voucher again.
    ledger.close();
    const reopened = new Ledger(ledgerDir);
    const restarted = new Settlement(provider, escrow, reopened, defaultSettlement, log);
    await restarted.syncFromChain();
    assert.deepEqual(reopened.redeemable(), [], 'the refusal survives a restart');
    const block = await provider.publicClient.getBlockNumber({ cacheTime: 0 });
    await restarted.redeem(true);
    assert.equal(await provider.publicClient.getBlockNumber({ cacheTime: 0 }), block, 'no transaction was sent');
    reopened.close();
    const records = readFileSync(join(ledgerDir, 'refused-vouchers.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { signature: string; reason: string });
    assert.equal(records.length, 1);
    assert.equal(records[0]!.signature, forged.signature);
    assert.match(records[0]!.reason, /^EscrowInvalidSignature\(client: /);
  });
});

// The provider's ledger: channel totals, the one-request credit, writing off results
// that were never paid (by age, or at the client's next request), voucher amounts, and
// surviving a restart from its journals.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { zeroHash, type Address, type Hex } from 'viem';
import { ProtocolError } from '../protocol/errors.ts';
import { toWire } from '../protocol/wire.ts';
import { Ledger } from './ledger.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const newDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-ledger-'));
  dirs.push(dir);
  return dir;
};

const client: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const provider: Address = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
const model = `0x${'11'.repeat(32)}` as Hex;
const signature = `0x${'00'.repeat(65)}` as Hex;
const FEE = 10n;

function serve(ledger: Ledger, n: number, issuedAt: number, since = 0): bigint {
  const channelTotal = ledger.nextTotal(client, model, FEE, since);
  const requestHash = `0x${n.toString(16).padStart(64, '0')}` as Hex;
  const receipt = {
    requestHash,
    client,
    provider,
    modelId: model,
    inputHash: zeroHash,
    outputHash: zeroHash,
    traceRoot: zeroHash,
    fee: FEE,
    channelTotal,
    issuedAt: BigInt(Math.floor(issuedAt / 1000)),
    verification: 0,
  };
  ledger.recordResult({ output: [n], shape: [1], frac: 0, receipt: toWire(receipt), signature, issuedAt });
  return channelTotal;
}
const voucher = (cumulativeAmount: bigint) => ({ voucher: { client, provider, modelId: model, cumulativeAmount }, signature });

test('totals grow by the fee; a voucher must match a receipt total; payment frees the credit', () => {
  const ledger = new Ledger(newDir());
  assert.equal(serve(ledger, 1, 1_000), 10n);
  assert.equal(ledger.unpaidCount(client, model, 0), 1);
  assert.equal(ledger.owedBy(client, 0), 10n);
  assert.throws(
    () => ledger.acceptVoucher(voucher(15n)),
    (e: unknown) => e instanceof ProtocolError && e.code === 'VOUCHER_AMOUNT_WRONG' && /expected one of: 10\n.*got: 15/s.test(e.message),
  );
  assert.equal(ledger.acceptVoucher(voucher(10n)), true);
  assert.equal(ledger.acceptVoucher(voucher(10n)), false, 'an amount already paid is not new');
  assert.equal(ledger.unpaidCount(client, model, 0), 0);
  assert.equal(serve(ledger, 2, 2_000), 20n);
  assert.deepEqual(
    ledger.redeemable().map((v) => v.voucher.cumulativeAmount),
    [10n],
  );
  ledger.setRedeemed(client, model, 10n);
  assert.deepEqual(ledger.redeemable(), []);
  assert.equal(ledger.owedBy(client, 0), 10n, 'the unpaid second result is still owed');
  ledger.close();
});

test('an unpaid result older than the grace is written off and never folded into the next total', () => {
  const ledger = new Ledger(newDir());
  serve(ledger, 1, 1_000);
  ledger.acceptVoucher(voucher(10n));
  assert.equal(serve(ledger, 2, 2_000), 20n); // its answer is lost: never paid
  assert.equal(ledger.unpaidCount(client, model, 0), 1, 'within the grace it blocks the channel');
  const since = 5_000; // the grace has passed for the receipt issued at 2 000
  assert.equal(ledger.unpaidCount(client, model, since), 0);
  assert.equal(ledger.owedBy(client, since), 10n, 'only what was paid is still owed');
  assert.equal(serve(ledger, 3, 6_000, since), 20n, 'the next result costs one fee over what was paid');
  assert.equal(ledger.acceptVoucher(voucher(20n)), true);
  ledger.close();
});

test('receipts and vouchers survive a restart, and a torn last line is ignored', () => {
  const dir = newDir();
  const ledger = new Ledger(dir);
  serve(ledger, 1, 1_000);
  serve(ledger, 2, 1_000);
  ledger.acceptVoucher(voucher(20n));
  ledger.close();
  appendFileSync(join(dir, 'receipts.jsonl'), '{"output":[9],"sha'); // a crash mid-write

  const again = new Ledger(dir);
  assert.ok(again.served(`0x${'1'.padStart(64, '0')}`));
  assert.ok(again.served(`0x${'2'.padStart(64, '0')}`));
  assert.equal(again.unpaidCount(client, model, 0), 0);
  assert.deepEqual(
    again.redeemable().map((v) => v.voucher.cumulativeAmount),
    [20n],
  );
  assert.equal(serve(again, 3, 2_000), 30n);
  again.close();
  const third = new Ledger(dir);
  assert.ok(third.served(`0x${'3'.padStart(64, '0')}`), 'a record appended after a torn line is read');
  third.close();
});

test("the client's next request writes off a result it never paid, once per grace period, and a restart keeps the count", () => {
  const dir = newDir();
  const ledger = new Ledger(dir);
  const timing = { graceMs: 60_000, paymentWindowMs: 10_000 };
  serve(ledger, 1, 1_000);
  assert.deepEqual(ledger.writeOffUndelivered(client, model, 5_000, timing), [], 'within the payment window the result still counts');
  assert.equal(ledger.unpaidCount(client, model, 0), 1);
  assert.deepEqual(ledger.writeOffUndelivered(client, model, 11_000, timing), [`0x${'1'.padStart(64, '0')}`]);
  assert.equal(ledger.unpaidCount(client, model, 0), 0, 'written off: it no longer blocks the channel');
  assert.equal(ledger.owedBy(client, 0), 0n, 'nor counts against the escrow');
  assert.equal(serve(ledger, 2, 11_000), 10n, 'nor is folded into the next total');
  ledger.close();

  const again = new Ledger(dir);
  assert.deepEqual(again.writeOffUndelivered(client, model, 30_000, timing), [], 'one write-off per grace period, across a restart');
  assert.equal(again.unpaidCount(client, model, 0), 1);
  assert.equal(again.owedBy(client, 0), 10n, 'the written-off receipt stays written off after the restart');
  assert.deepEqual(again.writeOffUndelivered(client, model, 71_000, timing), [`0x${'2'.padStart(64, '0')}`]);
  // A result written off may still be paid: the client had it after all.
  assert.equal(again.acceptVoucher(voucher(10n)), true);
  again.close();
});

// Client commands: deposit, withdraw, balances, infer, receipts.
import { join } from 'node:path';
import type { Command } from 'commander';
import { isAddress, type Address } from 'viem';
import { TrellisError } from '../../errors.ts';
import { localRoles } from '../../network/roles.ts';
import { verificationModes, type Verification } from '../../protocol/messages.ts';
import { toWire } from '../../protocol/wire.ts';
import { addNetworkOptions, readContext, signerContext, type NetworkOptions } from '../context.ts';
import { readCsvRow, readDigitImage, readJsonRow } from '../input-files.ts';
import { formatTokens, parseTokens } from '../amounts.ts';
import { parseIntegerOption, parseTrustOptions } from '../options.ts';
import { progress } from '../progress.ts';


/** A client's own records live beside the network, one folder per account. */
export const clientDir = (dataDir: string, address: Address) => join(dataDir, 'clients', address.toLowerCase());

export function registerClientCommands(program: Command): void {
  addNetworkOptions(program.command('deposit <amount>').description('deposit payment tokens into escrow (e.g. 25 or 2.5)')).action(async (value: string, options: NetworkOptions) => {
    const context = await signerContext(options, localRoles.client);
    const { deposit } = await import('../../sdk/accounts.ts');
    progress()(`depositing ${value} tUSD`);
    await deposit(context.connection, context.deployment, parseTokens('amount', value));
    await printBalances(context, context.connection.account.address);
  });

  addNetworkOptions(
    program
      .command('withdraw [amount]')
      .description('with an amount: start the withdrawal notice for it; without: withdraw what the notice has released'),
  ).action(async (value: string | undefined, options: NetworkOptions) => {
    const context = await signerContext(options, localRoles.client);
    const { requestWithdrawal, withdraw } = await import('../../sdk/accounts.ts');
    if (value === undefined) await withdraw(context.connection, context.deployment);
    else await requestWithdrawal(context.connection, context.deployment, parseTokens('amount', value));
    await printBalances(context, context.connection.account.address);
  });

  addNetworkOptions(program.command('balances [account]').description('wallet, escrow, pending withdrawal, earnings and stake of an account')).action(async (account: string | undefined, options: NetworkOptions) => {
    if (account !== undefined && !isAddress(account)) throw new TrellisError('INVALID_OPTION', `"${account}" is not an address.`);
    if (account !== undefined) return printBalances(await readContext(options), account);
    const context = await signerContext(options, localRoles.client);
    return printBalances(context, context.connection.account.address);
  });

  addNetworkOptions(
    program
      .command('infer')
      .description('run one inference through the gateway (or a provider), check its receipt and pay for it')
      .requiredOption('--model <name>', 'model name, e.g. digits-mlp, digits-cnn, breast-cancer-mlp')
      .option('--input <file.json>', 'a JSON array of numbers (one raw row)')
      .option('--csv <file>', 'take the row from a CSV file')
      .option('--row <n>', 'CSV data row (0-based)', '0')
      .option('--drop-columns <n>', 'trailing CSV columns to drop (e.g. 1 for a label)', '0')
      .option('--image <file>', 'an 8x8 grayscale PGM or PNG image (digits models)')
      .option('--verification <mode>', `${verificationModes.join(' | ')}`, 'optimistic')
      .option('--redundancy <k>', 'providers asked in redundant mode', '2')
      .option('--max-fee <amount>', 'most to pay one provider, in tUSD', '1')
      .option('--provider <url>', 'send straight to this provider instead of the gateway')
      .option('--publisher <address>', 'use the model as published by this account (default: the deployment\'s model publisher)')
      .option('--model-id <id>', 'use this on-chain model id (a publication of the same model file)')
      .option('--json', 'print the result as JSON'),
  ).action(async (options: NetworkOptions & { model: string; input?: string; csv?: string; row: string; dropColumns: string; image?: string; verification: string; redundancy: string; maxFee: string; provider?: string; publisher?: string; modelId?: string; json?: boolean }) => {
    const trust = parseTrustOptions(options, options.model);
    const sources = [options.input, options.csv, options.image].filter((s) => s !== undefined);
    if (sources.length !== 1) throw new TrellisError('INVALID_OPTION', 'Give exactly one of --input, --csv or --image.', { details: [`got ${sources.length}`] });
    if (!(verificationModes as readonly string[]).includes(options.verification)) {
      throw new TrellisError('INVALID_OPTION', `--verification must be one of ${verificationModes.join(', ')}, got "${options.verification}".`);
    }
    const input = options.input
      ? readJsonRow(options.input)
      : options.csv
        ? readCsvRow(options.csv, parseIntegerOption('--row', options.row, 0, 1e9), parseIntegerOption('--drop-columns', options.dropColumns, 0, 1e6))
        : readDigitImage(options.image!);
    const context = await signerContext(options, localRoles.client);
    if (!options.provider && !context.gatewayUrl) throw new TrellisError('NO_ENDPOINT', 'No gateway known: start the local network (npm start) or pass --gateway or --provider.');
    const { TrellisClient } = await import('../../sdk/client.ts');
    const client = new TrellisClient({ connection: context.connection, deployment: context.deployment, gatewayUrl: context.gatewayUrl, dataDir: clientDir(context.dataDir, context.connection.account.address), trust });
    try {
      progress()(`sending the request to ${options.model} (verification: ${options.verification})`);
      const result = await client.infer({
        model: options.model,
        input,
        verification: options.verification as Verification,
        redundancy: parseIntegerOption('--redundancy', options.redundancy, 1, 16),
        maxFee: parseTokens('--max-fee', options.maxFee),
        providerUrl: options.provider,
      });
      if (options.json) {
        console.log(JSON.stringify({ label: result.label, values: result.values, agreement: result.agreement, receipts: result.receipts.map((r) => ({ ...toWire(r.receipt), signature: r.signature })) }, null, 2));
        return;
      }
      console.log(`label    ${result.label}`);
      console.log(`values   ${result.values.map((v) => v.toFixed(3)).join(' ')}`);
      for (const { receipt } of result.receipts) console.log(`receipt  provider ${receipt.provider}  fee ${formatTokens(receipt.fee)}  request ${receipt.requestHash}`);
      if (!result.agreement) console.log('warning  the providers disagreed; both receipts are kept for a dispute');
    } finally {
      client.close();
    }
  });

  addNetworkOptions(program.command('receipts').description('the receipts this client has received').option('--json', 'print as JSON lines')).action(async (options: NetworkOptions & { json?: boolean }) => {
    const context = await signerContext(options, localRoles.client);
    const { TrellisClient } = await import('../../sdk/client.ts');
    const client = new TrellisClient({ connection: context.connection, deployment: context.deployment, dataDir: clientDir(context.dataDir, context.connection.account.address) });
    try {
      const receipts = client.receipts();
      if (options.json) for (const r of receipts) console.log(JSON.stringify(r));
      else {
        for (const r of receipts) console.log(`${r.receipt.requestHash}  ${r.verification.padEnd(10)}  provider ${r.receipt.provider}  fee ${formatTokens(BigInt(r.receipt.fee))}`);
        console.log(`${receipts.length} receipt(s)`);
      }
    } finally {
      client.close();
    }
  });
}

async function printBalances(context: Awaited<ReturnType<typeof readContext>>, account: Address): Promise<void> {
  const { balances } = await import('../../sdk/accounts.ts');
  const b = await balances(context.connection, context.deployment, account);
  console.log(`account            ${account}`);
  console.log(`wallet             ${formatTokens(b.wallet)}`);
  console.log(`escrow             ${formatTokens(b.escrow)}`);
  console.log(`pending withdrawal ${formatTokens(b.pendingWithdrawal)}`);
  console.log(`earnings           ${formatTokens(b.earnings)}`);
  console.log(`stake              ${formatTokens(b.stake)}`);
}

// Client commands: deposit, withdraw, balances, infer, receipts.
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Address } from 'viem';
import { TrellisError } from '../../errors.ts';
import { localRoles } from '../../network/roles.ts';
import { verificationModes, type Verification } from '../../protocol/verification-modes.ts';
import { addNetworkOptions, readContext, signerContext, type NetworkOptions } from '../context.ts';
import { readCsvRow, readDigitImage, readJsonRow } from '../input-files.ts';
import { progress } from '../progress.ts';

/** A client's own records live beside the network, one folder per account. */
export const clientDir = (dataDir: string, address: Address) => join(dataDir, 'clients', address.toLowerCase());

export function registerClientCommands(program: Command): void {
  addNetworkOptions(program.command('deposit <amount>').description('deposit payment tokens into escrow (e.g. 25 or 2.5)')).action(
    async (value: string, options: NetworkOptions) => {
      const { parseTokens, formatTokens } = await import('../amounts.ts');
      const { printBalances } = await import('../balances-view.ts');
      const context = await signerContext(options, localRoles.client);
      const { deposit } = await import('../../sdk/accounts.ts');
      progress()(`depositing ${value} tUSD`);
      const amount = parseTokens('amount', value);
      await deposit(context.connection, context.deployment, amount);
      console.log(`deposited ${formatTokens(amount)} into escrow`);
      await printBalances(context, context.connection.account.address, clientDir(context.dataDir, context.connection.account.address));
    },
  );

  addNetworkOptions(
    program.command('withdraw [amount]').description('with an amount: start the withdrawal notice for it; without: withdraw what the notice has released'),
  ).action(async (value: string | undefined, options: NetworkOptions) => {
    const { formatTokens, parseTokens } = await import('../amounts.ts');
    const { formatDuration, formatWhen, formatDate } = await import('../../chain/human-units.ts');
    const { printBalances } = await import('../balances-view.ts');
    const context = await signerContext(options, localRoles.client);
    const [{ requestWithdrawal, withdraw }, { withdrawalStatus, timingParameters }] = await Promise.all([
      import('../../sdk/accounts.ts'),
      import('../../sdk/account-status.ts'),
    ]);
    const account = context.connection.account.address;
    if (value === undefined) {
      const before = await withdrawalStatus(context.connection, context.deployment, account);
      await withdraw(context.connection, context.deployment);
      console.log(`withdrew ${formatTokens(before.amount)} from escrow to your wallet`);
    } else {
      const amount = parseTokens('amount', value);
      await requestWithdrawal(context.connection, context.deployment, amount);
      const [pending, timing] = await Promise.all([
        withdrawalStatus(context.connection, context.deployment, account),
        timingParameters(context.connection, context.deployment),
      ]);
      console.log(
        `withdrawal of ${formatTokens(pending.amount)} requested: the notice of ${formatDuration(timing.withdrawalNotice)} lets providers redeem vouchers you already signed.`,
      );
      console.log(
        `it is available ${formatWhen(pending.readyAt, pending.now)}; run \`trellis withdraw\` then, within ${formatDuration(timing.withdrawalWindow)} (until ${formatDate(pending.expiresAt)}).`,
      );
    }
    await printBalances(context, account, clientDir(context.dataDir, account));
  });

  addNetworkOptions(program.command('balances [account]').description('wallet, escrow, pending withdrawal, earnings and stake of an account')).action(
    async (account: string | undefined, options: NetworkOptions) => {
      const { isAddress } = await import('viem');
      const { printBalances } = await import('../balances-view.ts');
      if (account !== undefined && !isAddress(account)) throw new TrellisError('INVALID_OPTION', `"${account}" is not an address.`);
      if (account !== undefined) {
        const context = await readContext(options);
        return printBalances(context, account, clientDir(context.dataDir, account));
      }
      const context = await signerContext(options, localRoles.client);
      return printBalances(context, context.connection.account.address, clientDir(context.dataDir, context.connection.account.address));
    },
  );

  addNetworkOptions(
    program
      .command('infer')
      .description('run one inference through the gateway (or a provider), check its receipt and pay for it')
      .requiredOption(
        '--model <name|id>',
        "a default model's name (digits-mlp, digits-cnn, breast-cancer-mlp), a package's name among the trusted publisher's models, or a model id",
      )
      .option('--input <file.json>', 'a JSON array of numbers (one raw row)')
      .option('--csv <file>', 'take the row from a CSV file')
      .option('--row <n>', 'CSV data row (0-based)', '0')
      .option('--drop-columns <n>', 'trailing CSV columns to drop (e.g. 1 for a label)', '0')
      .option('--image <file>', 'an 8x8 grayscale PGM or PNG image (digits models)')
      .option('--verification <mode>', `${verificationModes.join(' | ')}`, 'optimistic')
      .option('--redundancy <k>', 'providers asked in redundant mode', '2')
      .option('--max-fee <amount>', 'most to pay one provider, in tUSD', '1')
      .option('--provider <url>', 'send straight to this provider instead of the gateway')
      .option('--sealed', "seal the input to the provider's registered key: the gateway sees ciphertext only (verification none or optimistic)")
      .option('--seal-to <address>', 'with --sealed through the gateway: the provider to seal to (default: the one the gateway routes to)')
      .option('--publisher <address>', "use the model as published by this account (default: the deployment's model publisher)")
      .option('--model-id <id>', 'use this on-chain model id (a publication of the same model file)')
      .option('--json', 'print the result as JSON'),
  ).action(
    async (
      options: NetworkOptions & {
        model: string;
        input?: string;
        csv?: string;
        row: string;
        dropColumns: string;
        image?: string;
        verification: string;
        redundancy: string;
        maxFee: string;
        provider?: string;
        sealed?: boolean;
        sealTo?: string;
        publisher?: string;
        modelId?: string;
        json?: boolean;
      },
    ) => {
      const { parseTrustOptions, parseIntegerOption } = await import('../options.ts');
      const { parseTokens, formatTokens } = await import('../amounts.ts');
      const { toWire } = await import('../../protocol/wire.ts');
      const { verificationLine } = await import('../receipt-lines.ts');
      const trust = parseTrustOptions(options, options.model);
      const sources = [options.input, options.csv, options.image].filter((s) => s !== undefined);
      if (sources.length !== 1)
        throw new TrellisError('INVALID_OPTION', 'Give exactly one of --input, --csv or --image.', { details: [`got ${sources.length}`] });
      if (!(verificationModes as readonly string[]).includes(options.verification)) {
        throw new TrellisError('INVALID_OPTION', `--verification must be one of ${verificationModes.join(', ')}, got "${options.verification}".`);
      }
      const input = options.input
        ? readJsonRow(options.input)
        : options.csv
          ? readCsvRow(options.csv, parseIntegerOption('--row', options.row, 0, 1e9), parseIntegerOption('--drop-columns', options.dropColumns, 0, 1e6))
          : readDigitImage(options.image!);
      if (options.sealTo !== undefined && (!options.sealed || options.provider)) {
        throw new TrellisError('INVALID_OPTION', '--seal-to goes with --sealed through the gateway.', {
          details: ['sent straight to a provider (--provider), the input is sealed to that provider'],
        });
      }
      const { isAddress, getAddress } = await import('viem');
      if (options.sealTo !== undefined && !isAddress(options.sealTo))
        throw new TrellisError('INVALID_OPTION', `--seal-to: "${options.sealTo}" is not an address.`);
      const context = await signerContext(options, localRoles.client);
      if (!options.provider && !context.gatewayUrl)
        throw new TrellisError('NO_ENDPOINT', 'No gateway known: start the local network (npm start) or pass --gateway or --provider.');
      const { TrellisClient } = await import('../../sdk/client.ts');
      const client = new TrellisClient({
        connection: context.connection,
        deployment: context.deployment,
        gatewayUrl: context.gatewayUrl,
        dataDir: clientDir(context.dataDir, context.connection.account.address),
        trust,
      });
      try {
        progress()(`sending the request to ${options.model} (verification: ${options.verification}${options.sealed ? ', input sealed' : ''})`);
        const result = await client.infer({
          model: options.model,
          input,
          verification: options.verification as Verification,
          redundancy: parseIntegerOption('--redundancy', options.redundancy, 1, 16),
          maxFee: parseTokens('--max-fee', options.maxFee),
          providerUrl: options.provider,
          sealed: options.sealed === true,
          ...(options.sealTo === undefined ? {} : { provider: getAddress(options.sealTo) }),
        });
        if (options.json) {
          console.log(
            JSON.stringify(
              {
                label: result.label,
                labelName: result.labelName,
                values: result.values,
                agreement: result.agreement,
                receipts: result.receipts.map((r) => ({ ...toWire(r.receipt), signature: r.signature })),
              },
              null,
              2,
            ),
          );
          return;
        }
        const { chainTime, timingParameters } = await import('../../sdk/account-status.ts');
        const [timing, now] = await Promise.all([timingParameters(context.connection, context.deployment), chainTime(context.connection)]);
        console.log(`label    ${result.labelName}`);
        console.log(`values   ${result.values.map((v) => v.toFixed(3)).join(' ')}`);
        for (const { receipt } of result.receipts)
          console.log(`receipt  provider ${receipt.provider}  fee ${formatTokens(receipt.fee)}  request ${receipt.requestHash}`);
        const first = result.receipts[0];
        if (first) console.log(`checked  ${verificationLine(first.receipt, timing.challengeWindow, now, result.agreement)}`);
        if (!result.agreement) console.log('warning  the providers disagreed; both receipts are kept for a dispute');
      } finally {
        client.close();
      }
    },
  );

  addNetworkOptions(program.command('receipts').description('the receipts this client has received').option('--json', 'print as JSON lines')).action(
    async (options: NetworkOptions & { json?: boolean }) => {
      const { formatDate } = await import('../../chain/human-units.ts');
      const { formatTokens } = await import('../amounts.ts');
      const { refundNote } = await import('../receipt-lines.ts');
      const context = await signerContext(options, localRoles.client);
      const { TrellisClient } = await import('../../sdk/client.ts');
      const client = new TrellisClient({
        connection: context.connection,
        deployment: context.deployment,
        dataDir: clientDir(context.dataDir, context.connection.account.address),
      });
      try {
        const receipts = client.receipts();
        const { refundsOf } = await import('../../sdk/refunds.ts');
        const refunds = await refundsOf(context.connection, context.deployment, receipts);
        if (options.json)
          receipts.forEach((r, i) => {
            console.log(JSON.stringify({ ...r, refund: refunds[i] ? { reserved: String(refunds[i].reserved), paid: String(refunds[i].paid) } : null }));
          });
        else {
          receipts.forEach((r, i) => {
            const issued = formatDate(BigInt(r.receipt.issuedAt));
            console.log(
              `${r.receipt.requestHash}  ${issued}  ${r.verification.padEnd(10)}  provider ${r.receipt.provider}  fee ${formatTokens(BigInt(r.receipt.fee))}${refundNote(refunds[i])}`,
            );
          });
          const refunded = refunds.filter((f) => f && f.reserved > 0n).length;
          console.log(`${receipts.length} receipt(s)${refunded > 0 ? `, ${refunded} refunded after a dispute` : ''}`);
        }
      } finally {
        client.close();
      }
    },
  );
}

// `npm run bench -- gas`: the gas of each user action on a fresh local deployment, and
// the amortized gas per request of voucher settlement — one redemption covering 1 to
// 1000 requests, and one transaction redeeming 1 to 50 channels. Every figure is a
// gasUsed read from a real receipt on anvil.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestClient, http, keccak256, parseSignature, toHex, type Address, type Hash, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { startAnvil } from '../src/chain/anvil.ts';
import { connectDevSigner, type SignerConnection } from '../src/chain/connect.ts';
import { deployTrellis } from '../src/chain/deploy.ts';
import { devAccount } from '../src/chain/dev-accounts.ts';
import { defaultParameters, tokens } from '../src/chain/parameters.ts';
import { escrowAbi } from '../src/chain/generated/Escrow.ts';
import { modelRegistryAbi } from '../src/chain/generated/ModelRegistry.ts';
import { providerRegistryAbi } from '../src/chain/generated/ProviderRegistry.ts';
import { trellisTokenAbi } from '../src/chain/generated/TrellisToken.ts';
import { signVoucher, type EscrowDomain } from '../src/payments/voucher.ts';
import { report, type Figure } from './report.ts';

const PRICE = tokens('0.01');
const REQUESTS_PER_REDEMPTION = [1, 10, 100, 1000] as const;
const CHANNELS_PER_TRANSACTION = [1, 10, 50] as const;

export async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-gas-'));
  const anvil = await startAnvil({ stateDir: dir, port: 0 });
  try {
    report('gas', await measure(anvil.rpcUrl));
  } finally {
    await anvil.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(rpcUrl: string): Promise<Figure[]> {
  const signer = (index: number) => connectDevSigner(rpcUrl, index);
  const [deployer, client, provider, owner] = await Promise.all([signer(0), signer(1), signer(2), signer(3)]);
  const deployment = await deployTrellis(deployer, { faucetChainId: 31337n, initialSupply: 0n });
  const { token, escrow, providerRegistry, modelRegistry } = deployment.contracts;
  const domain: EscrowDomain = { chainId: deployment.chainId, escrow };
  const testClient = createTestClient({ mode: 'anvil', transport: http(rpcUrl) });
  const figures: Figure[] = [];

  const gasOf = async (who: SignerConnection, send: (c: SignerConnection) => Promise<Hash>): Promise<bigint> => {
    const receipt = await who.publicClient.waitForTransactionReceipt({ hash: await send(who) });
    if (receipt.status !== 'success') throw new Error(`benchmark transaction ${receipt.transactionHash} reverted`);
    return receipt.gasUsed;
  };
  const action = async (figure: string, label: string, who: SignerConnection, send: (c: SignerConnection) => Promise<Hash>) => {
    figures.push({ figure, label, value: Number(await gasOf(who, send)), unit: 'gas' });
  };
  const advance = async (seconds: bigint) => {
    await testClient.increaseTime({ seconds: Number(seconds) + 1 });
    await testClient.mine({ blocks: 1 });
  };

  // Payment token.
  for (const who of [client, provider, owner]) {
    await gasOf(who, (c) =>
      c.walletClient.writeContract({ address: token, abi: trellisTokenAbi, functionName: 'faucet', args: [c.account.address, tokens('10000')] }),
    );
  }
  await action('gas_token_approve', 'token: approve', client, (c) =>
    c.walletClient.writeContract({ address: token, abi: trellisTokenAbi, functionName: 'approve', args: [escrow, tokens('1000')] }),
  );
  await action('gas_token_transfer', 'token: transfer', owner, (c) =>
    c.walletClient.writeContract({ address: token, abi: trellisTokenAbi, functionName: 'transfer', args: [client.account.address, tokens('1')] }),
  );
  await action('gas_token_transfer_with_authorization', 'token: transferWithAuthorization (EIP-3009)', provider, async (c) => {
    const message = {
      from: owner.account.address,
      to: client.account.address,
      value: tokens('1'),
      validAfter: 0n,
      validBefore: 2n ** 48n,
      nonce: keccak256(toHex('gas-bench')),
    };
    const signature = await owner.account.signTypedData!({
      domain: { name: 'Trellis USD', version: '1', chainId: deployment.chainId, verifyingContract: token },
      types: {
        TransferWithAuthorization: [
          { name: 'from', type: 'address' },
          { name: 'to', type: 'address' },
          { name: 'value', type: 'uint256' },
          { name: 'validAfter', type: 'uint256' },
          { name: 'validBefore', type: 'uint256' },
          { name: 'nonce', type: 'bytes32' },
        ],
      },
      primaryType: 'TransferWithAuthorization',
      message,
    });
    return c.walletClient.writeContract({
      address: token,
      abi: trellisTokenAbi,
      functionName: 'transferWithAuthorization',
      args: [message.from, message.to, message.value, message.validAfter, message.validBefore, message.nonce, signature],
    });
  });

  // Model owner. A commitment is published with its shape: here one dense layer of 2 x 2.
  const benchShape = { inputSize: 2, rowCount: 2, layers: [{ outSize: 2, inputA: 0, inputB: 0, fanIn: 2, rowLength: 2, rowStart: 0 }] };
  const modelIds: Hex[] = [];
  const publish = async (who: SignerConnection, n: number) => {
    const contentHash = keccak256(toHex(`model-${n}`));
    const hash = await who.walletClient.writeContract({
      address: modelRegistry,
      abi: modelRegistryAbi,
      functionName: 'publish',
      args: [contentHash, keccak256(toHex(`weights-${n}`)), benchShape, `ipfs://model-${n}`, 500],
    });
    modelIds.push(
      await who.publicClient.readContract({
        address: modelRegistry,
        abi: modelRegistryAbi,
        functionName: 'modelIdOf',
        args: [who.account.address, contentHash],
      }),
    );
    return hash;
  };
  await action('gas_model_publish', 'model: publish', owner, (c) => publish(c, 0));
  await action('gas_model_set_royalty', 'model: setRoyalty', owner, (c) =>
    c.walletClient.writeContract({ address: modelRegistry, abi: modelRegistryAbi, functionName: 'setRoyalty', args: [modelIds[0]!, 700] }),
  );

  // Provider.
  await gasOf(provider, (c) =>
    c.walletClient.writeContract({ address: token, abi: trellisTokenAbi, functionName: 'approve', args: [providerRegistry, tokens('10000')] }),
  );
  await action('gas_provider_register', 'provider: register with stake', provider, (c) =>
    c.walletClient.writeContract({
      address: providerRegistry,
      abi: providerRegistryAbi,
      functionName: 'register',
      args: ['http://127.0.0.1:9000', toHex(new Uint8Array(33).fill(2)), defaultParameters.minStake * 2n],
    }),
  );
  await action('gas_provider_set_price', 'provider: setPrice', provider, (c) =>
    c.walletClient.writeContract({ address: providerRegistry, abi: providerRegistryAbi, functionName: 'setPrice', args: [modelIds[0]!, PRICE] }),
  );
  await action('gas_provider_add_stake', 'provider: addStake', provider, (c) =>
    c.walletClient.writeContract({ address: providerRegistry, abi: providerRegistryAbi, functionName: 'addStake', args: [tokens('50')] }),
  );
  await action('gas_provider_start_unbonding', 'provider: startUnbonding', provider, (c) =>
    c.walletClient.writeContract({ address: providerRegistry, abi: providerRegistryAbi, functionName: 'startUnbonding', args: [tokens('50')] }),
  );
  await advance(defaultParameters.unbondingDelay);
  await action('gas_provider_withdraw_stake', 'provider: withdraw unbonded stake', provider, (c) =>
    c.walletClient.writeContract({ address: providerRegistry, abi: providerRegistryAbi, functionName: 'withdraw' }),
  );

  // Client.
  await action('gas_escrow_deposit', 'client: deposit', client, (c) =>
    c.walletClient.writeContract({ address: escrow, abi: escrowAbi, functionName: 'deposit', args: [tokens('500')] }),
  );
  await action('gas_escrow_deposit_with_permit', 'client: depositWithPermit (EIP-2612)', client, async (c) => {
    const deadline = 2n ** 48n;
    const nonce = await c.publicClient.readContract({ address: token, abi: trellisTokenAbi, functionName: 'nonces', args: [c.account.address] });
    const signature = await c.account.signTypedData!({
      domain: { name: 'Trellis USD', version: '1', chainId: deployment.chainId, verifyingContract: token },
      types: {
        Permit: [
          { name: 'owner', type: 'address' },
          { name: 'spender', type: 'address' },
          { name: 'value', type: 'uint256' },
          { name: 'nonce', type: 'uint256' },
          { name: 'deadline', type: 'uint256' },
        ],
      },
      primaryType: 'Permit',
      message: { owner: c.account.address, spender: escrow, value: tokens('100'), nonce, deadline },
    });
    const { v, r, s } = parseSignature(signature);
    return c.walletClient.writeContract({
      address: escrow,
      abi: escrowAbi,
      functionName: 'depositWithPermit',
      args: [tokens('100'), deadline, Number(v), r, s],
    });
  });

  // Settlement: one redemption covering N requests. Each channel is redeemed once
  // first, so the figure is the steady-state cost of a channel in use.
  const clientAccount = privateKeyToAccount(devAccount(1).privateKey);
  const voucherFor = (modelId: Hex, amount: bigint) =>
    signVoucher(clientAccount, domain, { client: client.account.address, provider: provider.account.address, modelId, cumulativeAmount: amount });
  const redeem = async (modelId: Hex, amount: bigint) => {
    const { voucher, signature } = await voucherFor(modelId, amount);
    return gasOf(provider, (c) => c.walletClient.writeContract({ address: escrow, abi: escrowAbi, functionName: 'redeem', args: [voucher, signature] }));
  };
  figures.push({
    figure: 'gas_escrow_redeem_first',
    label: 'provider: redeem, first voucher of a channel',
    value: Number(await redeem(modelIds[0]!, PRICE)),
    unit: 'gas',
  });
  let cumulative = PRICE;
  for (const requests of REQUESTS_PER_REDEMPTION) {
    cumulative += PRICE * BigInt(requests);
    const gas = await redeem(modelIds[0]!, cumulative);
    figures.push({
      figure: `redeem_gas_per_request_n${requests}`,
      label: `redeem covering ${requests} request(s), per request`,
      value: Number(gas) / requests,
      unit: 'gas',
    });
  }

  // Settlement: one transaction redeeming many channels (one channel per model).
  for (let n = 1; n <= Math.max(...CHANNELS_PER_TRANSACTION); n++) await publish(owner, n);
  const batchModels = modelIds.slice(1);
  const redeemed = new Map<Hex, bigint>();
  const redeemMany = async (count: number) => {
    const signed = await Promise.all(
      batchModels.slice(0, count).map((modelId) => {
        const next = (redeemed.get(modelId) ?? 0n) + PRICE * 10n;
        redeemed.set(modelId, next);
        return voucherFor(modelId, next);
      }),
    );
    return gasOf(provider, (c) =>
      c.walletClient.writeContract({
        address: escrow,
        abi: escrowAbi,
        functionName: 'redeemMany',
        args: [signed.map((s) => s.voucher), signed.map((s) => s.signature)],
      }),
    );
  };
  await redeemMany(Math.max(...CHANNELS_PER_TRANSACTION)); // open every channel once: steady state as above
  const perChannel: number[] = [];
  for (const channels of CHANNELS_PER_TRANSACTION) {
    const gas = Number(await redeemMany(channels)) / channels;
    perChannel.push(gas);
    figures.push({ figure: `redeem_many_gas_per_channel_c${channels}`, label: `redeemMany of ${channels} channel(s), per channel`, value: gas, unit: 'gas' });
  }
  figures.push({
    figure: 'redeem_many_c50_vs_c1_ratio',
    label: 'per-channel gas, 50 channels vs 1 per transaction',
    value: perChannel[perChannel.length - 1]! / perChannel[0]!,
    unit: 'x',
  });

  // Collecting and leaving.
  await action('gas_escrow_claim', 'provider: claim earnings', provider, (c) =>
    c.walletClient.writeContract({ address: escrow, abi: escrowAbi, functionName: 'claim' }),
  );
  await action('gas_escrow_request_withdrawal', 'client: requestWithdrawal', client, (c) =>
    c.walletClient.writeContract({ address: escrow, abi: escrowAbi, functionName: 'requestWithdrawal', args: [tokens('100')] }),
  );
  await advance(defaultParameters.withdrawalNotice);
  await action('gas_escrow_withdraw', 'client: withdraw after notice', client, (c) =>
    c.walletClient.writeContract({ address: escrow, abi: escrowAbi, functionName: 'withdraw' }),
  );
  await action('gas_model_transfer', 'model: transfer ownership', owner, (c) =>
    c.walletClient.writeContract({
      address: modelRegistry,
      abi: modelRegistryAbi,
      functionName: 'transfer',
      args: [modelIds[0]!, deployer.account.address as Address],
    }),
  );
  await action('gas_model_deprecate', 'model: deprecate', deployer, (c) =>
    c.walletClient.writeContract({ address: modelRegistry, abi: modelRegistryAbi, functionName: 'deprecate', args: [modelIds[0]!] }),
  );
  return figures;
}

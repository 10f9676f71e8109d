// Deploys a complete Trellis deployment to any EVM JSON-RPC endpoint. The same code
// serves the embedded anvil and a remote network: only the signer and the token's
// faucet setting differ. The manifest is the caller's to write, once this returns:
// an interrupted deployment is never recorded as a usable one.
import { encodeFunctionData, getAddress, zeroAddress, zeroHash, type Abi, type Address, type Hex } from 'viem';
import { agentIdentityAbi, agentIdentityBytecode } from './generated/AgentIdentity.ts';
import { disputeGameAbi, disputeGameBytecode } from './generated/DisputeGame.ts';
import { contributorRoyaltiesFactoryAbi, contributorRoyaltiesFactoryBytecode } from './generated/ContributorRoyaltiesFactory.ts';
import { flTaskRulesAbi, flTaskRulesBytecode } from './generated/FlTaskRules.ts';
import { escrowAbi, escrowBytecode } from './generated/Escrow.ts';
import { federatedTrainingAbi, federatedTrainingBytecode } from './generated/FederatedTraining.ts';
import { marketParamsAbi, marketParamsBytecode } from './generated/MarketParams.ts';
import { modelBountyAbi, modelBountyBytecode } from './generated/ModelBounty.ts';
import { modelStakingAbi, modelStakingBytecode } from './generated/ModelStaking.ts';
import { modelRegistryAbi, modelRegistryBytecode } from './generated/ModelRegistry.ts';
import { multicall3Abi, multicall3Bytecode } from './generated/Multicall3.ts';
import { providerRegistryAbi, providerRegistryBytecode } from './generated/ProviderRegistry.ts';
import { reputationRegistryAbi, reputationRegistryBytecode } from './generated/ReputationRegistry.ts';
import { spendPermissionsAbi, spendPermissionsBytecode } from './generated/SpendPermissions.ts';
import { agentAccountsAbi, agentAccountsBytecode } from './generated/AgentAccounts.ts';
import { trellisParamsAbi, trellisParamsBytecode } from './generated/TrellisParams.ts';
import { trellisTimelockAbi, trellisTimelockBytecode } from './generated/TrellisTimelock.ts';
import { trellisTokenAbi, trellisTokenBytecode } from './generated/TrellisToken.ts';
import { validationRegistryAbi, validationRegistryBytecode } from './generated/ValidationRegistry.ts';
import { zkReceiptSlasherAbi, zkReceiptSlasherBytecode } from './generated/ZkReceiptSlasher.ts';
import { zkRegistryAbi, zkRegistryBytecode } from './generated/ZkRegistry.ts';
import type { SignerConnection } from './connect.ts';
import { ChainError } from './errors.ts';
import type { Deployment } from './manifest.ts';
import {
  defaultDisputeParameters,
  defaultGovernanceParameters,
  defaultMarketParameters,
  defaultParameters,
  tokens,
  type GovernanceParameters,
  type ProtocolParameters,
} from './parameters.ts';
import { writeContract } from './write.ts';

export type DeployOptions = {
  parameters?: ProtocolParameters;
  /** The timelock that ends up owning TrellisParams; defaults to a one-hour delay with the deployer as proposer and executor. */
  governance?: GovernanceParameters;
  /** Chain id on which the token's faucet mints; 0 disables it (any real network). */
  faucetChainId: bigint;
  /** Tokens minted to the deployer at deployment (in base units). */
  initialSupply: bigint;
  /** Called before each step, for progress output. */
  onStep?: (step: string) => void;
};

export async function deployTrellis(connection: SignerConnection, options: DeployOptions): Promise<Deployment> {
  const { publicClient, walletClient, account } = connection;
  const parameters = options.parameters ?? defaultParameters;
  await checkGasFunds(connection);

  const deployed: Partial<Record<string, Address>> = {};
  const deploy = async (label: string, abi: Abi, bytecode: Hex, args: readonly unknown[]): Promise<{ address: Address; block: bigint }> => {
    options.onStep?.(`deploying ${label}`);
    try {
      const hash = await walletClient.deployContract({ abi, bytecode, args });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error(`transaction ${hash} reverted`);
      const address = getAddress(receipt.contractAddress);
      deployed[label] = address;
      return { address, block: receipt.blockNumber };
    } catch (cause) {
      const done = Object.entries(deployed).map(([name, address]) => `${name} was deployed at ${address} (not recorded)`);
      throw new ChainError('DEPLOYMENT_FAILED', `Deploying ${label} failed; no manifest was written.`, { details: done, cause });
    }
  };

  const token = await deploy('TrellisToken', trellisTokenAbi, trellisTokenBytecode, [options.faucetChainId, account.address, options.initialSupply]);
  const params = await deploy('TrellisParams', trellisParamsAbi, trellisParamsBytecode, [
    account.address,
    parameters.treasury ?? account.address,
    parameters.minStake,
    parameters.unbondingDelay,
    parameters.challengeWindow,
    parameters.withdrawalNotice,
    parameters.protocolFeeBps,
    parameters.royaltyCapBps,
    parameters.royaltyNotice,
    parameters.withdrawalWindow,
  ]);
  const modelRegistry = await deploy('ModelRegistry', modelRegistryAbi, modelRegistryBytecode, [params.address]);
  const providerRegistry = await deploy('ProviderRegistry', providerRegistryAbi, providerRegistryBytecode, [token.address, params.address]);
  const escrow = await deploy('Escrow', escrowAbi, escrowBytecode, [token.address, params.address, modelRegistry.address]);
  const dispute = parameters.dispute ?? defaultDisputeParameters;
  const disputeGame = await deploy('DisputeGame', disputeGameAbi, disputeGameBytecode, [
    token.address,
    params.address,
    providerRegistry.address,
    modelRegistry.address,
    escrow.address,
    dispute,
  ]);
  const marketParams = await deploy('MarketParams', marketParamsAbi, marketParamsBytecode, [account.address, parameters.market ?? defaultMarketParameters]);
  const modelStaking = await deploy('ModelStaking', modelStakingAbi, modelStakingBytecode, [
    token.address,
    params.address,
    marketParams.address,
    modelRegistry.address,
  ]);
  const modelBounty = await deploy('ModelBounty', modelBountyAbi, modelBountyBytecode, [
    token.address,
    params.address,
    marketParams.address,
    modelRegistry.address,
    modelStaking.address,
    providerRegistry.address,
    disputeGame.address,
  ]);
  // Agents (docs/agents.md): spending limits that pay providers the registry reports
  // active, and identity, validation and reputation read from the escrow and the game.
  const spendPermissions = await deploy('SpendPermissions', spendPermissionsAbi, spendPermissionsBytecode, [providerRegistry.address]);
  // Each agent's x402 payer is a clone made by this factory, spending through the manager.
  const agentAccounts = await deploy('AgentAccounts', agentAccountsAbi, agentAccountsBytecode, [spendPermissions.address]);
  const agentIdentity = await deploy('AgentIdentity', agentIdentityAbi, agentIdentityBytecode, []);
  const validationRegistry = await deploy('ValidationRegistry', validationRegistryAbi, validationRegistryBytecode, [agentIdentity.address]);
  const reputationRegistry = await deploy('ReputationRegistry', reputationRegistryAbi, reputationRegistryBytecode, [
    escrow.address,
    disputeGame.address,
    agentIdentity.address,
    validationRegistry.address,
    params.address,
    tokens('1'),
  ]);
  // Federated training (docs/fl.md): the coordinator, and the factory of each task's royalty account.
  const royaltiesFactory = await deploy('ContributorRoyaltiesFactory', contributorRoyaltiesFactoryAbi, contributorRoyaltiesFactoryBytecode, [
    escrow.address,
    token.address,
    modelRegistry.address,
  ]);
  const flTaskRules = await deploy('FlTaskRules', flTaskRulesAbi, flTaskRulesBytecode, []);
  const federatedTraining = await deploy('FederatedTraining', federatedTrainingAbi, federatedTrainingBytecode, [
    token.address,
    modelRegistry.address,
    royaltiesFactory.address,
    flTaskRules.address,
  ]);
  // zk verification (docs/zk.md): per-model verifiers, and the slasher of zk receipts whose
  // proof fails, on the dispute game's slash amount, reporter share and jail term.
  const zkRegistry = await deploy('ZkRegistry', zkRegistryAbi, zkRegistryBytecode, [modelRegistry.address]);
  const zkReceiptSlasher = await deploy('ZkReceiptSlasher', zkReceiptSlasherAbi, zkReceiptSlasherBytecode, [
    token.address,
    params.address,
    providerRegistry.address,
    zkRegistry.address,
    escrow.address,
    dispute.slashAmount,
    dispute.challengerShareBps,
    dispute.jailDuration,
  ]);
  const failed = (what: string, cause: unknown) =>
    new ChainError('DEPLOYMENT_FAILED', `${what} failed; no manifest was written.`, {
      details: Object.entries(deployed).map(([name, address]) => `${name} was deployed at ${address} (not recorded)`),
      cause,
    });
  const send = async (what: string, request: () => Promise<Hex>): Promise<void> => {
    options.onStep?.(what);
    try {
      const hash = await request();
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
    } catch (cause) {
      throw failed(what, cause);
    }
  };

  // The deployer owns TrellisParams here, so it can authorize the game to slash and jail.
  await send('authorizing the dispute game as slasher', () =>
    writeContract(connection, { address: providerRegistry.address, abi: providerRegistryAbi, functionName: 'setSlasher', args: [disputeGame.address, true] }),
  );
  await send('authorizing the zk receipt slasher as slasher', () =>
    writeContract(connection, {
      address: providerRegistry.address,
      abi: providerRegistryAbi,
      functionName: 'setSlasher',
      args: [zkReceiptSlasher.address, true],
    }),
  );

  // Then ownership goes to a timelock, so every later change of a parameter or a slasher
  // is public for the timelock's delay before it applies.
  const governance = options.governance ?? defaultGovernanceParameters;
  const timelock = await deploy('TrellisTimelock', trellisTimelockAbi, trellisTimelockBytecode, [0n, [account.address], [account.address], zeroAddress]);
  await send('handing TrellisParams to the timelock', () =>
    writeContract(connection, { address: params.address, abi: trellisParamsAbi, functionName: 'transferOwnership', args: [timelock.address] }),
  );
  await send('handing MarketParams to the timelock', () =>
    writeContract(connection, { address: marketParams.address, abi: marketParamsAbi, functionName: 'transferOwnership', args: [timelock.address] }),
  );
  const handover = await handoverCalls(connection, [params.address, marketParams.address], timelock.address, governance);
  const batch = [handover.map((c) => c.target), handover.map(() => 0n), handover.map((c) => c.data), zeroHash, zeroHash] as const;
  await send("scheduling the timelock's acceptance and delay", () =>
    writeContract(connection, { address: timelock.address, abi: trellisTimelockAbi, functionName: 'scheduleBatch', args: [...batch, 0n] }),
  );
  await send("executing the timelock's acceptance and delay", () =>
    writeContract(connection, { address: timelock.address, abi: trellisTimelockAbi, functionName: 'executeBatch', args: batch }),
  );
  const owner = await publicClient.readContract({ address: params.address, abi: trellisParamsAbi, functionName: 'owner' });
  const marketOwner = await publicClient.readContract({ address: marketParams.address, abi: marketParamsAbi, functionName: 'owner' });
  const delay = await publicClient.readContract({ address: timelock.address, abi: trellisTimelockAbi, functionName: 'getMinDelay' });
  if (getAddress(owner) !== timelock.address || getAddress(marketOwner) !== timelock.address || delay !== governance.minDelay) {
    throw failed('Handing the parameters to the timelock', new Error(`owners ${owner} and ${marketOwner}, timelock delay ${delay}`));
  }
  await plantMulticall3(connection, () => deploy('Multicall3', multicall3Abi, multicall3Bytecode, []), options.onStep).catch((cause: unknown) => {
    throw cause instanceof ChainError ? cause : failed('Planting Multicall3', cause);
  });

  return {
    chainId: connection.chain.id,
    deployer: account.address,
    deploymentBlock: Number(token.block),
    contracts: {
      token: token.address,
      params: params.address,
      modelRegistry: modelRegistry.address,
      providerRegistry: providerRegistry.address,
      escrow: escrow.address,
      disputeGame: disputeGame.address,
    },
    timelock: timelock.address,
    market: { marketParams: marketParams.address, modelStaking: modelStaking.address, modelBounty: modelBounty.address },
    agents: {
      spendPermissions: spendPermissions.address,
      agentAccounts: agentAccounts.address,
      agentIdentity: agentIdentity.address,
      validationRegistry: validationRegistry.address,
      reputationRegistry: reputationRegistry.address,
    },
    fl: { federatedTraining: federatedTraining.address, royaltiesFactory: royaltiesFactory.address },
    zk: { zkRegistry: zkRegistry.address, zkReceiptSlasher: zkReceiptSlasher.address },
  };
}

type Call = { target: Address; data: Hex };

/** Where x402 facilitators (and most tools) expect Multicall3: the same address on every public chain. */
export const MULTICALL3_ADDRESS: Address = '0xcA11bde05977b3631167028862bE2a173976CA11';

/**
 * Makes sure Multicall3 answers at its canonical address. Public chains have it; a fresh
 * anvil does not, and x402's facilitator reads balances and authorization states
 * through it. The contract is this repository's own (contracts/src/Multicall3.sol):
 * deployed normally, then its runtime code is copied to the canonical address with
 * anvil_setCode, which only a development node accepts.
 */
export async function plantMulticall3(
  { publicClient }: SignerConnection,
  deployOne: () => Promise<{ address: Address }>,
  onStep?: (step: string) => void,
): Promise<void> {
  const present = await publicClient.getCode({ address: MULTICALL3_ADDRESS });
  if (present !== undefined && present !== '0x') return;
  const { address } = await deployOne();
  const code = await publicClient.getCode({ address });
  if (code === undefined || code === '0x') throw new Error(`Multicall3 deployed at ${address} has no code`);
  onStep?.(`planting Multicall3 at ${MULTICALL3_ADDRESS}`);
  try {
    await publicClient.request({ method: 'anvil_setCode', params: [MULTICALL3_ADDRESS, code] } as never);
  } catch (cause) {
    throw new ChainError('DEPLOYMENT_FAILED', `This chain has no Multicall3 at ${MULTICALL3_ADDRESS}, and the node refuses to plant one.`, {
      details: ['x402 facilitators need Multicall3 at its canonical address', 'deploy it there with its usual keyless deployment, then deploy again'],
      cause,
    });
  }
}

/**
 * What the timelock runs once, with its delay still zero and the deployer as its only
 * proposer and executor: accept ownership of the parameter contracts, give the configured accounts
 * their roles, take the deployer's away when it is not one of them, and raise the delay.
 */
async function handoverCalls(
  { publicClient, account }: SignerConnection,
  owned: Address[],
  timelock: Address,
  governance: GovernanceParameters,
): Promise<Call[]> {
  const role = (name: 'PROPOSER_ROLE' | 'CANCELLER_ROLE' | 'EXECUTOR_ROLE') =>
    publicClient.readContract({ address: timelock, abi: trellisTimelockAbi, functionName: name });
  const [proposer, canceller, executor] = await Promise.all([role('PROPOSER_ROLE'), role('CANCELLER_ROLE'), role('EXECUTOR_ROLE')]);
  const deployer = account.address;
  const proposers = (governance.proposers ?? [deployer]).map((a) => getAddress(a));
  const executors = (governance.executors ?? proposers).map((a) => getAddress(a));
  const onTimelock = (data: Hex): Call => ({ target: timelock, data });
  const roleCall = (functionName: 'grantRole' | 'revokeRole', roleId: Hex, who: Address) =>
    onTimelock(encodeFunctionData({ abi: trellisTimelockAbi, functionName, args: [roleId, who] }));
  // TrellisParams and MarketParams share Ownable2Step's acceptOwnership.
  const calls: Call[] = owned.map((target) => ({ target, data: encodeFunctionData({ abi: trellisParamsAbi, functionName: 'acceptOwnership' }) }));
  for (const who of proposers.filter((a) => a !== deployer)) calls.push(roleCall('grantRole', proposer, who), roleCall('grantRole', canceller, who));
  for (const who of executors.filter((a) => a !== deployer)) calls.push(roleCall('grantRole', executor, who));
  if (!proposers.includes(deployer)) calls.push(roleCall('revokeRole', proposer, deployer), roleCall('revokeRole', canceller, deployer));
  if (!executors.includes(deployer)) calls.push(roleCall('revokeRole', executor, deployer));
  calls.push(onTimelock(encodeFunctionData({ abi: trellisTimelockAbi, functionName: 'updateDelay', args: [governance.minDelay] })));
  return calls;
}

/** Refuses to start a deployment the deployer cannot pay for, so none is left half done for lack of gas. */
async function checkGasFunds({ publicClient, account }: SignerConnection): Promise<void> {
  // About 45 M gas for the nineteen contracts, the slasher wiring and the timelock handover, at the node's current gas price plus margin.
  const needed = 45_000_000n * ((await publicClient.getGasPrice()) * 2n);
  const balance = await publicClient.getBalance({ address: account.address });
  if (balance < needed) {
    throw new ChainError('INSUFFICIENT_GAS_FUNDS', `The deployer ${account.address} cannot pay for the deployment's gas.`, {
      details: [`balance: ${balance} wei`, `needed: about ${needed} wei`],
    });
  }
}

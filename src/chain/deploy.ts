// Deploys a complete Trellis deployment to any EVM JSON-RPC endpoint. The same code
// serves the embedded anvil and a remote network: only the signer and the token's
// faucet setting differ. The manifest is the caller's to write, once this returns:
// an interrupted deployment is never recorded as a usable one.
import { getAddress, type Abi, type Address, type Hex } from 'viem';
import { disputeGameAbi, disputeGameBytecode } from './generated/DisputeGame.ts';
import { escrowAbi, escrowBytecode } from './generated/Escrow.ts';
import { modelRegistryAbi, modelRegistryBytecode } from './generated/ModelRegistry.ts';
import { providerRegistryAbi, providerRegistryBytecode } from './generated/ProviderRegistry.ts';
import { trellisParamsAbi, trellisParamsBytecode } from './generated/TrellisParams.ts';
import { trellisTokenAbi, trellisTokenBytecode } from './generated/TrellisToken.ts';
import type { SignerConnection } from './connect.ts';
import { ChainError } from './errors.ts';
import type { Deployment } from './manifest.ts';
import { defaultDisputeParameters, defaultParameters, type ProtocolParameters } from './parameters.ts';

export type DeployOptions = {
  parameters?: ProtocolParameters;
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
  // The deployer owns TrellisParams here, so it can authorize the game to slash and jail.
  options.onStep?.('authorizing the dispute game as slasher');
  try {
    const hash = await walletClient.writeContract({ address: providerRegistry.address, abi: providerRegistryAbi, functionName: 'setSlasher', args: [disputeGame.address, true] });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
  } catch (cause) {
    throw new ChainError('DEPLOYMENT_FAILED', 'Authorizing the dispute game as slasher failed; no manifest was written.', {
      details: Object.entries(deployed).map(([name, address]) => `${name} was deployed at ${address} (not recorded)`),
      cause,
    });
  }

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
  };
}

/** Refuses to start a deployment the deployer cannot pay for, so none is left half done for lack of gas. */
async function checkGasFunds({ publicClient, account }: SignerConnection): Promise<void> {
  // About 12 M gas for the six contracts and the slasher wiring, at the node's current gas price plus margin.
  const needed = 12_000_000n * ((await publicClient.getGasPrice()) * 2n);
  const balance = await publicClient.getBalance({ address: account.address });
  if (balance < needed) {
    throw new ChainError('INSUFFICIENT_GAS_FUNDS', `The deployer ${account.address} cannot pay for the deployment's gas.`, {
      details: [`balance: ${balance} wei`, `needed: about ${needed} wei`],
    });
  }
}

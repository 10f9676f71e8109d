// Compiles a generated Groth16 verifier (verifier-sol.ts) with solcjs, the compiler the
// contracts are built with (tools/solc.mjs hands forge the same `solc` package), and with
// the settings of contracts/foundry.toml, so that an imported model's verifier is built like
// the committed ones without running forge over the whole project.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Abi, Hex } from 'viem';
import { repoPath } from '../repo-root.ts';
import { ZkVerifierCompileError } from './errors.ts';

export type CompiledVerifier = { contract: string; abi: Abi; bytecode: Hex };

type SolcOutput = {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
};

// The generated source imports "../interfaces/IGroth16Verifier.sol": place it where that resolves.
const SOURCE_PATH = 'src/zk/Verifier.sol';
const INTERFACE_PATH = 'src/interfaces/IGroth16Verifier.sol';

/** A Solidity identifier for a model's verifier: "my-model.v2" -> "MyModelV2Verifier". */
export function verifierContractName(model: string): string {
  const words = model.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  const name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return `${/^[0-9]/.test(name) ? 'Model' : ''}${name}Verifier`;
}

export function compileVerifier(source: string, contract: string): CompiledVerifier {
  const solc = createRequire(import.meta.url)('solc') as { compile(input: string): string };
  const input = {
    language: 'Solidity',
    sources: {
      [SOURCE_PATH]: { content: source },
      [INTERFACE_PATH]: { content: readFileSync(repoPath('contracts', INTERFACE_PATH), 'utf8') },
    },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'cancun',
      metadata: { bytecodeHash: 'none' },
      outputSelection: { [SOURCE_PATH]: { [contract]: ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  const compiled = output.contracts?.[SOURCE_PATH]?.[contract];
  if (errors.length > 0 || !compiled)
    throw new ZkVerifierCompileError(
      contract,
      errors.map((e) => e.formattedMessage),
    );
  return { contract, abi: compiled.abi, bytecode: `0x${compiled.evm.bytecode.object}` };
}

// zk commands (docs/zk.md). `zk prove` runs where the input is kept (the hospital of the
// walk-through): it proves one inference of a model with the committed key and writes the
// claim, in which the input appears only as its Poseidon hash (the record hash). `zk
// verify` runs anywhere (the insurer): it checks a claim knowing only the record hash, the
// model and the decision, against the commitment the ZkRegistry holds on chain, and can
// record it there. `zk register` (the model's owner) deploys the verifier built by `trellis
// model import --zk` and registers it with the model and its Poseidon weight commitment.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { TrellisError } from '../../errors.ts';
import { localRoles } from '../../network/roles.ts';
import { addNetworkOptions, readContext, signerContext, type NetworkOptions } from '../context.ts';
import { readCsvRow, readJsonRow } from '../input-files.ts';
import { progress } from '../progress.ts';

/** What `zk prove` writes and `zk verify` reads. */
type ClaimFile = { model: string; recordHash: string; output: number[]; label: string; proof: unknown; publicSignals: unknown };

export function registerZkCommands(program: Command): void {
  const zk = program.command('zk').description('zk proofs of inferences: prove where the input is kept, verify knowing only its hash');

  zk.command('prove')
    .description('prove one inference locally with the committed key; the claim written names the input only by its Poseidon hash')
    .requiredOption('--model <name>', 'a default model with committed zk keys (models/zk/<name>/)')
    .option('--input <file>', 'a JSON array: one raw row')
    .option('--csv <file>', 'take the row from a CSV file')
    .option('--row <n>', 'CSV data row (0-based)', '0')
    .option('--drop-columns <n>', 'trailing CSV columns to drop (e.g. 1 for a label)', '0')
    .requiredOption('--out <file>', 'where to write the claim (JSON)')
    .action(async (options: { model: string; input?: string; csv?: string; row: string; dropColumns: string; out: string }) => {
      const { parseIntegerOption } = await import('../options.ts');
      if ((options.input === undefined) === (options.csv === undefined)) throw new TrellisError('INVALID_OPTION', 'Give exactly one of --input or --csv.');
      const raw = options.input
        ? readJsonRow(options.input)
        : readCsvRow(options.csv!, parseIntegerOption('--row', options.row, 0, 1e9), parseIntegerOption('--drop-columns', options.dropColumns, 0, 1e6));
      const [{ loadModel }, { applyPreprocess }, { proveInference, releaseProver }, { tensorHash }, { classLabelOf }] = await Promise.all([
        import('../../models/catalog.ts'),
        import('../../train/preprocess.ts'),
        import('../../zk/prove.ts'),
        import('../../zk/commitment.ts'),
        import('../../models/schema.ts'),
      ]);
      const model = loadModel(options.model);
      if (raw.length !== model.preprocess.features)
        throw new TrellisError('INVALID_INPUT', `Model ${model.name} takes ${model.preprocess.features} values per row, not ${raw.length}.`);
      progress()(`proving one inference of ${model.name} (a few seconds)`);
      try {
        const proved = await proveInference(model.name, model.engine.artifact, applyPreprocess(model.preprocess, raw));
        const label = classLabelOf(model.schema, proved.output.indexOf(Math.max(...proved.output)));
        const claim: ClaimFile = {
          model: model.name,
          recordHash: tensorHash(proved.quantizedInput).toString(),
          output: proved.output,
          label,
          proof: proved.proof,
          publicSignals: proved.publicSignals,
        };
        writeFileSync(options.out, `${JSON.stringify(claim, null, 2)}\n`);
        console.log(`proved   ${model.name} gives ${label} (output ${proved.output.join(', ')})`);
        console.log(`record   ${claim.recordHash} (the input's Poseidon hash; the input itself is not in ${options.out})`);
      } finally {
        await releaseProver();
      }
    });

  addNetworkOptions(
    zk
      .command('verify <claim>')
      .description("verify a claim written by `zk prove` against the model's commitment on chain, knowing only the record hash, model and decision")
      .option('--record-hash <n>', 'the record hash you expect (default: the one in the claim)')
      .option('--decision <ints>', 'the output integers you expect, comma-separated (default: the ones in the claim)')
      .option('--record', 'also record the verified result on chain (ZkRegistry.verifyAndRecord)'),
  ).action(async (file: string, options: NetworkOptions & { recordHash?: string; decision?: string; record?: boolean }) => {
    let claim: ClaimFile;
    try {
      claim = JSON.parse(readFileSync(file, 'utf8')) as ClaimFile;
    } catch (cause) {
      throw new TrellisError('INVALID_OPTION', `${file} is not a readable JSON claim.`, { cause });
    }
    const [{ loadModel }, { resolveModel }, { parseZkProofResult }, { registeredVerifier, verifyAndRecord }, { verifyZkResult }] = await Promise.all([
      import('../../models/catalog.ts'),
      import('../../models/registry.ts'),
      import('../../zk/proof-format.ts'),
      import('../../zk/chain.ts'),
      import('../../sdk/zk.ts'),
    ]);
    const integer = (what: string, text: string): bigint => {
      if (!/^\d{1,78}$/.test(text)) throw new TrellisError('INVALID_OPTION', `${what}: expected a non-negative integer, got "${text}".`);
      return BigInt(text);
    };
    const recordHash = integer('--record-hash', options.recordHash ?? String(claim.recordHash));
    const output = options.decision === undefined ? claim.output : options.decision.split(',').map((v) => Number(v.trim()));
    if (!Array.isArray(output) || !output.every(Number.isInteger))
      throw new TrellisError('INVALID_OPTION', '--decision: expected comma-separated integers.', { details: [`got ${JSON.stringify(output)}`] });
    const zkProof = parseZkProofResult('claim', { proof: claim.proof, publicSignals: claim.publicSignals });
    const signer = options.record ? await signerContext(options, localRoles.client) : undefined;
    const context = signer ?? (await readContext(options));
    const { connection, deployment } = context;
    if (!deployment.zk) throw new TrellisError('ZK_NOT_DEPLOYED', 'This deployment has no zk contracts.');
    const model = loadModel(claim.model);
    const modelId = await resolveModel(connection, deployment, model);
    const { commitment } = await registeredVerifier(connection, deployment.zk.zkRegistry, modelId);
    await verifyZkResult({ model: model.name, recordHash, output, commitment, zk: zkProof });
    console.log(`verified ${model.name} (weights committed on chain as ${commitment}) gives output ${output.join(', ')} on record ${recordHash}`);
    if (signer) {
      const receipt = await verifyAndRecord(signer.connection, deployment.zk.zkRegistry, modelId, zkProof);
      console.log(`recorded on chain in ${receipt.transactionHash} (${receipt.gasUsed} gas)`);
    }
  });

  addNetworkOptions(
    zk
      .command('register <package>')
      .description(
        "deploy the verifier built by `model import --zk` and register it with the published model and its Poseidon weight commitment (the model's owner; `model publish --zk` does both in one step)",
      )
      .option('--keys <dir>', 'the folder holding the key folder <name>/ (default: models/zk)')
      .option('--model-id <id>', "the model id (default: the id of the caller's own publication of the model)"),
  ).action(async (target: string, options: NetworkOptions & { keys?: string; modelId?: string }) => {
    const [{ readModelPackage }, { loadModel }, { registerModelVerifier }] = await Promise.all([
      import('../../models/package/read.ts'),
      import('../../models/catalog.ts'),
      import('../../zk/register.ts'),
    ]);
    if (options.modelId !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(options.modelId))
      throw new TrellisError('INVALID_OPTION', `--model-id: expected 0x and 64 hex digits, got "${options.modelId}".`);
    const model = existsSync(target) && statSync(target).isDirectory() ? readModelPackage(target) : loadModel(target);
    const context = await signerContext(options, localRoles.modelOwner);
    const registered = await registerModelVerifier(context.connection, context.deployment, {
      model: { name: model.name, contentHash: model.contentHash, artifact: model.engine.artifact },
      ...(options.modelId === undefined ? {} : { modelId: options.modelId as `0x${string}` }),
      ...(options.keys === undefined ? {} : { keysRoot: resolve(options.keys) }),
    });
    console.log(
      `registered the verifier ${registered.verifier} of ${model.name} (${registered.modelId}) with Poseidon weight commitment ${registered.commitment}`,
    );
  });
}

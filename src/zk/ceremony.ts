// The committed powers of tau: models/zk/ceremony/ceremony.json names a prepared ptau file
// (phase 1 done, ready for a circuit's phase 2) with its power, the beacon it was made with
// and its sha256. Every zkey of the repository, and every key `trellis model import --zk`
// makes, comes from this one file, so a model gets keys without redoing phase 1 (preparing
// it takes tens of minutes). The file is read only after its hash matches: a ptau file
// swapped or corrupted on disk would give keys that do not come from the recorded ceremony.
//
// Like the per-model phase 2, it is a local single-party ceremony with a public beacon (see
// scripts/zk-setup.ts and docs/zk.md): reproducible byte for byte, and for that reason fit
// for tests and demos only.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { curves, powersOfTau } from 'snarkjs';
import { repoPath } from '../repo-root.ts';
import { ZkCeremonyMissingError, ZkCeremonyTamperedError } from './errors.ts';

export const CEREMONY_FORMAT = 'trellis-ptau/1';
export const CEREMONY_META = 'ceremony.json';

export type CeremonyMeta = {
  format: typeof CEREMONY_FORMAT;
  curve: 'bn128';
  /** The ceremony supports circuits with constraints + public signals below 2^power. */
  power: number;
  /** The prepared ptau's file name, beside this meta file. */
  file: string;
  bytes: number;
  sha256: string;
  /** Phase 1 is one beacon contribution: this hex string, hashed 2^beaconIterations times. */
  beacon: string;
  beaconIterations: number;
};

export type Ceremony = { meta: CeremonyMeta; ptau: string };

export const committedCeremonyDir = (): string => repoPath('models', 'zk', 'ceremony');

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The ceremony in `dir`, its ptau file checked against the recorded hash and size. */
export function readCeremony(dir: string = committedCeremonyDir()): Ceremony {
  const metaPath = join(dir, CEREMONY_META);
  if (!existsSync(metaPath)) throw new ZkCeremonyMissingError(metaPath, 'no ceremony meta file');
  let meta: CeremonyMeta;
  try {
    meta = JSON.parse(readFileSync(metaPath, 'utf8')) as CeremonyMeta;
  } catch {
    throw new ZkCeremonyMissingError(metaPath, 'the meta file is not valid JSON');
  }
  if (meta.format !== CEREMONY_FORMAT || !Number.isInteger(meta.power) || typeof meta.file !== 'string' || !/^[0-9a-f]{64}$/.test(meta.sha256)) {
    throw new ZkCeremonyMissingError(metaPath, `the meta file is not a ${CEREMONY_FORMAT} record`);
  }
  const ptau = join(dir, meta.file);
  if (!existsSync(ptau)) throw new ZkCeremonyMissingError(ptau, 'the ptau file the meta file names is not there');
  // The size first: a truncated file is refused without reading it.
  const bytes = statSync(ptau).size;
  if (bytes !== meta.bytes) throw new ZkCeremonyTamperedError(ptau, meta.sha256, `(not computed: ${bytes} bytes, expected ${meta.bytes})`);
  const got = sha256File(ptau);
  if (got !== meta.sha256) throw new ZkCeremonyTamperedError(ptau, meta.sha256, got);
  return { meta, ptau };
}

/**
 * Runs phase 1 for 2^power: a fresh accumulator, one beacon contribution, phase 2
 * preparation; writes `pot<power>_final.ptau` and the meta file into `dir`. Intermediate
 * files go to `workDir`. Deterministic: the same power and beacon give the same bytes.
 */
export async function makeCeremony(p: {
  power: number;
  beacon: string;
  beaconIterations: number;
  dir: string;
  workDir: string;
  log?: (line: string) => void;
}): Promise<Ceremony> {
  const log = p.log ?? (() => {});
  // snarkjs refuses other values by returning false, not by throwing: refuse them here.
  if (!Number.isInteger(p.beaconIterations) || p.beaconIterations < 10 || p.beaconIterations > 63)
    throw new RangeError(`beaconIterations must be an integer in 10..63 (2^n hashes), got ${p.beaconIterations}`);
  if (!/^([0-9a-fA-F]{2}){1,}$/.test(p.beacon)) throw new RangeError(`the beacon must be hex bytes, got "${p.beacon}"`);
  mkdirSync(p.dir, { recursive: true });
  mkdirSync(p.workDir, { recursive: true });
  const file = `pot${p.power}_final.ptau`;
  const p0 = join(p.workDir, `pot${p.power}_0.ptau`);
  const p1 = join(p.workDir, `pot${p.power}_1.ptau`);
  const curve = await curves.getCurveFromName('bn128');
  log(`powers of tau 2^${p.power}: new accumulator`);
  await powersOfTau.newAccumulator(curve, p.power, p0);
  log('beacon contribution');
  await powersOfTau.beacon(p0, p1, 'beacon', p.beacon, p.beaconIterations);
  log('preparing phase 2 (the slow part)');
  await powersOfTau.preparePhase2(p1, join(p.dir, file));
  return writeCeremonyMeta(p.dir, file, p.power, p.beacon, p.beaconIterations);
}

/** Records an existing prepared ptau file (in `dir`) with its hash and size. */
export function writeCeremonyMeta(dir: string, file: string, power: number, beacon: string, beaconIterations: number): Ceremony {
  const ptau = join(dir, file);
  const meta: CeremonyMeta = {
    format: CEREMONY_FORMAT,
    curve: 'bn128',
    power,
    file,
    bytes: statSync(ptau).size,
    sha256: sha256File(ptau),
    beacon,
    beaconIterations,
  };
  writeFileSync(join(dir, CEREMONY_META), `${JSON.stringify(meta, null, 2)}\n`);
  return { meta, ptau };
}

/** Whether a circuit of this size fits 2^power: snarkjs needs constraints + public inputs + outputs < 2^power. */
export function fitsCeremony(constraints: number, publicSignals: number, power: number): boolean {
  return constraints + publicSignals < 2 ** power;
}

/** The smallest power that fits such a circuit. */
export function powerNeeded(constraints: number, publicSignals: number): number {
  return (constraints + publicSignals).toString(2).length;
}

// A provider's sealing keys (docs/privacy.md, "Sealed inference inputs"): the X25519 key
// pairs clients seal inputs to, kept in one file under the data folder, readable by its
// owner only. The newest is the one published with ProviderRegistry.setEncryptionKey;
// each carries the registry's version once published. A rotation publishes a new key
// and retires the previous ones, which still open inputs for `graceMs` (a request
// sealed just before the rotation is valid at most MAX_REQUEST_TTL_SECONDS), then are
// deleted, so that a key leaked later opens nothing captured long before.
// The file is read again before every change and when a request names a version this
// process does not know, so that `trellis provider rotate-key` can rotate the key of a
// running node.
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { TrellisError } from '../errors.ts';
import { MAX_REQUEST_TTL_SECONDS } from '../protocol/messages.ts';
import { generateSealingKey } from '../protocol/sealed-input.ts';

export const SEALING_KEYS_FILE = 'sealing-keys.json';

/** Twice the longest a signed request stays valid: every request sealed before a rotation has expired by then. */
export const DEFAULT_SEALING_KEY_GRACE_MS = 2 * Number(MAX_REQUEST_TTL_SECONDS) * 1000;

export type SealingKeyEntry = {
  publicKey: Hex;
  privateKey: Hex;
  /** The registry's version of this key; null until it is published. */
  version: number | null;
  /** Unix milliseconds when a newer key was published; null for the current key. */
  retiredAt: number | null;
};

type KeyFile = { keys: SealingKeyEntry[] };

export type SealingKeysOptions = { graceMs?: number; now?: () => number };

export class SealingKeys {
  private keys: SealingKeyEntry[] = [];
  private readonly path: string;
  private readonly graceMs: number;
  private readonly now: () => number;

  private constructor(dataDir: string, options: SealingKeysOptions) {
    this.path = join(dataDir, SEALING_KEYS_FILE);
    this.graceMs = options.graceMs ?? DEFAULT_SEALING_KEY_GRACE_MS;
    this.now = options.now ?? Date.now;
    if (!Number.isSafeInteger(this.graceMs) || this.graceMs < 0) {
      throw new TrellisError('INVALID_OPTION', 'sealingKeyGraceMs must be a whole number of milliseconds, 0 or more.', { details: [`got ${this.graceMs}`] });
    }
  }

  /** Opens the key file of a data folder, creating it with a first (unpublished) key. */
  static async open(dataDir: string, options: SealingKeysOptions = {}): Promise<SealingKeys> {
    const keys = new SealingKeys(dataDir, options);
    if (existsSync(keys.path)) {
      // A copy restored with looser permissions is tightened rather than left readable.
      if ((statSync(keys.path).mode & 0o077) !== 0) chmodSync(keys.path, 0o600);
      keys.reload();
    }
    if (keys.keys.length === 0) await keys.addKey();
    return keys;
  }

  /** The newest key: the one to publish, and the one clients seal to once it is. */
  get current(): SealingKeyEntry {
    return this.keys[this.keys.length - 1] as SealingKeyEntry;
  }

  /** Published versions this node can still open, newest first. */
  get versions(): number[] {
    return this.keys
      .filter((k) => k.version !== null)
      .map((k) => k.version as number)
      .reverse();
  }

  /** The private key of a published version, if this node holds it and its grace has not run out. */
  privateKeyOf(version: number): Hex | undefined {
    let entry = this.find(version);
    if (!entry) {
      this.reload();
      entry = this.find(version);
    }
    if (!entry) return undefined;
    if (entry.retiredAt !== null && this.now() > entry.retiredAt + this.graceMs) {
      this.update(() => {});
      return undefined;
    }
    return entry.privateKey;
  }

  /** Adds a fresh key pair, unpublished; the caller publishes it (publishSealingKey) and records its version. */
  async addKey(): Promise<SealingKeyEntry> {
    const pair = await generateSealingKey();
    const entry: SealingKeyEntry = { ...pair, version: null, retiredAt: null };
    this.update((keys) => keys.push(entry));
    return entry;
  }

  /** Records that `publicKey` is on chain under `version`: it becomes current, and the keys before it start their grace. */
  published(publicKey: Hex, version: number): void {
    this.update((keys) => {
      const at = keys.findIndex((k) => k.publicKey.toLowerCase() === publicKey.toLowerCase());
      if (at < 0)
        throw new TrellisError('SEALING_KEY_MISSING', 'The published sealing key is not in the key file.', { details: [`key: ${publicKey}`, this.path] });
      const [entry] = keys.splice(at, 1) as [SealingKeyEntry];
      entry.version = version;
      entry.retiredAt = null;
      for (const k of keys) k.retiredAt ??= this.now();
      keys.push(entry);
    });
  }

  private find(version: number): SealingKeyEntry | undefined {
    return this.keys.find((k) => k.version === version);
  }

  private reload(): void {
    if (!existsSync(this.path)) return;
    let file: KeyFile;
    try {
      file = JSON.parse(readFileSync(this.path, 'utf8')) as KeyFile;
    } catch (cause) {
      throw new TrellisError('SEALING_KEYS_UNREADABLE', `The sealing key file ${this.path} is not valid JSON.`, { cause });
    }
    if (!Array.isArray(file.keys)) throw new TrellisError('SEALING_KEYS_UNREADABLE', `The sealing key file ${this.path} holds no key list.`);
    this.keys = file.keys;
  }

  /** Re-reads the file, applies `change`, drops keys past their grace, and writes the file back atomically with mode 0600. */
  private update(change: (keys: SealingKeyEntry[]) => void): void {
    this.reload();
    const keys = [...this.keys];
    change(keys);
    const now = this.now();
    this.keys = keys.filter((k) => k.retiredAt === null || now <= k.retiredAt + this.graceMs);
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ keys: this.keys } satisfies KeyFile, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.path);
  }
}

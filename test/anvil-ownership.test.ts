// Who owns the embedded chain: an anvil stops when the process that started it is
// killed with SIGKILL; one that outlived its process anyway is refused, naming its
// process id and port and what to do, and taken over only when asked; and a folder
// whose anvil is running under a live process is never started twice, nor is a chain
// node of unknown origin on the port asked for used as if it were ours.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { anvilBinary, startAnvil } from '../src/chain/anvil.ts';
import { isAlive, PID_FILE, writePidFile } from '../src/chain/anvil-ownership.ts';
import { connect } from '../src/chain/connect.ts';
import { ChainError } from '../src/chain/errors.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-owner-'));
  dirs.push(dir);
  return dir;
};
const children: ChildProcess[] = [];
/** Anvils a failed test could leave behind (their starter was killed): stopped at the end. */
const strays: number[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const pid of strays) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  dirs.forEach((dir) => {
    rmSync(dir, { recursive: true, force: true });
  });
});

/** Resolves with the first match of `pattern` on the child's standard output (bounded). */
function firstMatch(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} on the child's output after 30 s: ${seen}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
  });
}

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const readPid = (stateDir: string) => (JSON.parse(readFileSync(join(stateDir, PID_FILE), 'utf8')) as { pid: number }).pid;

test('an anvil dies with the process that started it, even by SIGKILL, and the next start owns the chain', async () => {
  const stateDir = tempDir();
  const script = `import { startAnvil } from ${JSON.stringify(new URL('../src/chain/anvil.ts', import.meta.url).href)};
const anvil = await startAnvil({ stateDir: ${JSON.stringify(stateDir)}, port: 0 });
console.log('port ' + anvil.port);
setInterval(() => {}, 1000);`;
  const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(parent);
  await firstMatch(parent, /port (\d+)/);
  const anvilPid = readPid(stateDir);
  strays.push(anvilPid);
  assert.ok(isAlive(anvilPid));

  parent.kill('SIGKILL');
  await until('the anvil of the killed process to stop', () => !isAlive(anvilPid));

  const next = await startAnvil({ stateDir, port: 0 });
  try {
    assert.equal(next.adopted, false);
    assert.equal(readPid(stateDir) !== anvilPid, true, 'the pid file names the new anvil');
  } finally {
    await next.stop();
  }
});

test('a leftover anvil is refused with its pid and port, and taken over only when asked', async () => {
  const stateDir = tempDir();
  // An anvil whose starter is gone and whose watchdog never ran: a true orphan.
  const orphan = spawn(anvilBinary(), ['--host', '127.0.0.1', '--port', '0', '--state', join(stateDir, 'state.json')], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(orphan);
  const port = Number((await firstMatch(orphan, /Listening on [^\s:]+:(\d+)/))[1]);
  const deadParent = spawnSync('true').pid;
  writePidFile(stateDir, { pid: orphan.pid!, port, parentPid: deadParent });

  await assert.rejects(startAnvil({ stateDir, port: 0 }), (error: unknown) => {
    assert.ok(error instanceof ChainError);
    assert.equal(error.code, 'ANVIL_ORPHANED');
    assert.match(error.message, new RegExp(`pid ${orphan.pid}, port ${port}`));
    assert.match(error.message, new RegExp(`kill ${orphan.pid}`));
    assert.match(error.message, /--adopt-chain/);
    return true;
  });
  assert.equal(orphan.exitCode, null, 'refusing leaves the orphan alone');

  const adopted = await startAnvil({ stateDir, port: 0, adopt: true });
  assert.equal(adopted.adopted, true);
  assert.equal(adopted.port, port);
  assert.equal((await connect({ rpcUrl: adopted.rpcUrl })).chain.id, 31337);
  const exited = new Promise((resolve) => orphan.once('exit', resolve));
  await adopted.stop();
  await exited;
});

test('a chain running under a live process is not started a second time, even with adopt', async () => {
  const stateDir = tempDir();
  const first = await startAnvil({ stateDir, port: 0 });
  try {
    for (const adopt of [false, true]) {
      await assert.rejects(startAnvil({ stateDir, port: 0, adopt }), (error: unknown) => {
        assert.ok(error instanceof ChainError);
        assert.equal(error.code, 'ANVIL_IN_USE');
        assert.match(error.message, new RegExp(`port ${first.port}`));
        return true;
      });
    }
  } finally {
    await first.stop();
  }
});

test('a chain node this folder does not know, on the port asked for, is refused rather than used', async () => {
  const other = await startAnvil({ stateDir: tempDir(), port: 0 });
  try {
    const stranger = readPid(dirs.at(-1)!);
    await assert.rejects(startAnvil({ stateDir: tempDir(), port: other.port }), (error: unknown) => {
      assert.ok(error instanceof ChainError);
      assert.equal(error.code, 'ANVIL_PORT_IN_USE');
      assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${other.port}`));
      assert.match(error.message, new RegExp(`process ${stranger} \\(anvil\\) listens there`));
      assert.match(error.message, new RegExp(`kill ${stranger}`));
      return true;
    });
  } finally {
    await other.stop();
  }
});

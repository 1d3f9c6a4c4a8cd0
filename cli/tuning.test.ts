import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isHeavy, v8Flags } from './tuning.ts';

test('heavy commands are found past repository options; restores get a smaller young generation and the heap growth flag', (t) => {
  t.true(isHeavy(['repo', '-r', '/tmp/x', '--compression', 'auto', 'backup', 'src']));
  t.true(isHeavy(['repo', '--repo', 'restore', 'restore', 'latest']), 'a repository named "restore" is an option value');
  t.true(isHeavy(['server']));
  t.false(isHeavy(['repo', '-r', '/tmp/x', 'snapshots']));
  t.false(isHeavy(['version']));
  t.deepEqual(v8Flags(['repo', '-r', 'backup', 'restore', 'latest', '-t', 'x']), ['--max-semi-space-size=2', '--heap-growing-percent=50']);
  t.deepEqual(v8Flags(['repo', '-r', 'restore', 'backup', 'src']), ['--max-semi-space-size=8']);
});

const TUNING = path.join(path.dirname(fileURLToPath(import.meta.url)), 'tuning.ts');

/** What a process that calls tuneProcess(argv) ends up running with. */
function tunedRun(argv: string[], env: NodeJS.ProcessEnv = {}): { execArgv: string[]; arenas: string | null; tuned: boolean } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'skiff-tuning-'));
  try {
    const script = path.join(dir, 'probe.ts');
    writeFileSync(
      script,
      `import { tuneProcess } from ${JSON.stringify(TUNING)};
const tuned = process.env['SKIFF_TUNED'] !== undefined;
const arenas = process.env['MALLOC_ARENA_MAX'] ?? null; // read before tuneProcess removes it
tuneProcess(process.argv.slice(2));
console.log(JSON.stringify({ execArgv: process.execArgv, arenas, tuned }));
`,
    );
    const clean = { ...process.env };
    for (const k of ['SKIFF_TUNED', 'SKIFF_NO_TUNING', 'MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_']) delete clean[k];
    return JSON.parse(execFileSync(process.execPath, [script, ...argv], { env: { ...clean, ...env }, encoding: 'utf8' })) as never;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const linux = process.platform === 'linux' && typeof process.execve === 'function' ? test : test.skip;

linux('a heavy command re-executes itself with the flags and malloc settings; others and SKIFF_NO_TUNING=1 do not', (t) => {
  const restore = tunedRun(['repo', '-r', '/tmp/x', 'restore', 'latest']);
  t.true(restore.tuned);
  t.deepEqual(restore.execArgv.slice(0, 2), ['--max-semi-space-size=2', '--heap-growing-percent=50']);
  t.is(restore.arenas, '2');
  const backup = tunedRun(['repo', '-r', '/tmp/x', 'backup', 'src']);
  t.true(backup.tuned);
  t.deepEqual(backup.execArgv, ['--max-semi-space-size=8']);
  t.false(tunedRun(['repo', '-r', '/tmp/x', 'snapshots']).tuned);
  const off = tunedRun(['repo', '-r', '/tmp/x', 'restore', 'latest'], { SKIFF_NO_TUNING: '1' });
  t.false(off.tuned);
  t.deepEqual(off.execArgv, []);
});

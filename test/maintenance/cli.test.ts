/** `skiff repo forget` and `skiff repo prune` through `main()`, output captured. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import test from 'ava';
import { main } from '../../cli/main.ts';
import { pseudoRandom } from './scenario.ts';

let work: string;
let env: Record<string, string>;

test.before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'skiff-forget-cli-'));
  env = { SKIFF_PASSWORD: 'cli-forget-pw', SKIFF_REPOSITORY: path.join(work, 'repo') };
});
test.after.always(async () => {
  await rm(work, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (f: (s: string) => void) => new Writable({ write: (c, _e, cb) => (f(String(c)), cb()) });
  const code = await main(args, { env, cwd: work, stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)) });
  return { code, stdout, stderr };
}

test.serial('forget --keep-last 1 --dry-run --json lists what stays and why; --prune then reclaims the space', async (t) => {
  const src = path.join(work, 'src');
  await mkdir(src);
  await writeFile(path.join(src, 'a.bin'), pseudoRandom('a', 700 * 1024));
  t.is((await run(['repo', 'init'])).code, 0);
  t.is((await run(['repo', 'backup', src])).code, 0);
  await writeFile(path.join(src, 'a.bin'), pseudoRandom('b', 700 * 1024));
  t.is((await run(['repo', 'backup', src])).code, 0);
  const snaps = JSON.parse((await run(['repo', 'snapshots', '--json'])).stdout) as { id: string; time: string }[];
  t.is(snaps.length, 2);
  const [older, newer] = snaps.sort((a, b) => a.time.localeCompare(b.time));

  const dry = await run(['repo', 'forget', '--keep-last', '1', '--dry-run', '--json']);
  t.is(dry.code, 0, dry.stderr);
  const groups = JSON.parse(dry.stdout) as { host: string; paths: string[]; tags: null; keep: { id: string }[]; remove: { id: string }[]; reasons: { snapshot: { id: string }; matches: string[] }[] }[];
  t.is(groups.length, 1);
  t.deepEqual(groups[0]!.paths, [src]);
  t.deepEqual(groups[0]!.keep.map((s) => s.id), [newer!.id]);
  t.deepEqual(groups[0]!.remove.map((s) => s.id), [older!.id]);
  t.deepEqual(groups[0]!.reasons.map((r) => [r.snapshot.id, r.matches]), [[newer!.id, ['last snapshot']]]);
  t.is(JSON.parse((await run(['repo', 'snapshots', '--json'])).stdout).length, 2, 'a dry run removes nothing');

  const real = await run(['repo', 'forget', '--keep-last', '1', '--prune']);
  t.is(real.code, 0, real.stderr);
  t.regex(real.stdout, /Applying Policy: keep 1 latest snapshots/);
  t.regex(real.stdout, /keep 1 snapshots:[\s\S]*last snapshot/);
  t.regex(real.stdout, /removed 1 snapshots/);
  t.regex(real.stdout, /to delete:\s+[1-9]\d* blobs/);
  t.regex(real.stdout, /done: /);
  const left = JSON.parse((await run(['repo', 'snapshots', '--json'])).stdout) as { id: string }[];
  t.deepEqual(left.map((s) => s.id), [newer!.id]);

  const again = await run(['repo', 'prune', '--dry-run', '--json']);
  t.is(again.code, 0, again.stderr);
  const p = JSON.parse(again.stdout) as { message_type: string; dry_run: boolean; summary: { pruneSize: number }; packs: { remove: string[] } };
  t.is(p.message_type, 'prune');
  t.true(p.dry_run);
  t.is(p.summary.pruneSize, 0);
  const chk = await run(['repo', 'check', '--read-data']);
  t.is(chk.code, 0, chk.stderr);
  t.regex(chk.stdout, /no errors were found/);
  t.notRegex(chk.stdout, /hint/);
});

test.serial('forget and prune reject bad flags with one clear line', async (t) => {
  const cases: [string[], RegExp][] = [
    [['repo', 'forget'], /no policy was specified, no snapshots will be removed/],
    [['repo', 'forget', '--keep-daily', '-1'], /invalid --keep-daily "-1"/],
    [['repo', 'forget', '--keep-within', '3w'], /invalid duration "3w"/],
    [['repo', 'forget', '--keep-last', '1', '--group-by', 'host,color'], /unknown grouping option "color"/],
    [['repo', 'forget', '--unsafe-allow-remove-all'], /not allowed unless a snapshot filter/],
    [['repo', 'prune', '--max-unused', '100%'], /invalid --max-unused "100%"/],
    [['repo', 'prune', '--max-repack-size', '12X'], /invalid size "12X"/],
  ];
  for (const [args, re] of cases) {
    const r = await run(args);
    t.is(r.code, 1, args.join(' '));
    t.regex(r.stderr, re);
    t.is(r.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}`);
  }
  t.is(JSON.parse((await run(['repo', 'snapshots', '--json'])).stdout).length, 1, 'nothing was removed');
});

/**
 * Our retention policy against restic 0.18's, snapshot for snapshot: the same repository of
 * snapshots (odd times, offsets, ISO-week edges, tags, two hosts) goes through `restic forget
 * --dry-run --json` and `skiff repo forget --dry-run --json` with the same flags; the kept and
 * removed IDs, and the reasons must agree. (0.14 predates "keep the oldest", so only
 * 0.18 is the oracle here.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import test from 'ava';
import { FsStorage, initRepository } from '../../repository/index.ts';
import { saveSnapshot } from '../../repository/snapshot/snapshots.ts';
import { encodeTree } from '../../repository/tree/index.ts';
import { main } from '../../cli/main.ts';
import { testWithRestic } from '../support/restic.ts';

const PW = 'policy-oracle';
let dir: string;

/** Times chosen for edges: same hour/day twice, ISO week 53, leap day, month ends across offsets. */
const TIMES: [string, string, string[]][] = [
  ['2019-06-15T12:00:00Z', 'a', []],
  ['2020-02-29T23:59:59.999999999+01:00', 'a', ['nightly']],
  ['2020-12-31T10:00:00Z', 'a', ['nightly', 'db']],
  ['2021-01-03T22:00:00-05:00', 'a', []],
  ['2021-01-04T01:00:00+05:30', 'a', ['weekly']],
  ['2021-01-04T01:30:00+05:30', 'a', []],
  ['2023-12-31T23:30:00-08:00', 'a', ['nightly']],
  ['2024-01-01T00:10:00Z', 'a', []],
  ['2024-03-31T23:00:00Z', 'a', ['db']],
  ['2024-04-30T08:00:00Z', 'a', []],
  ['2024-05-01T08:00:00Z', 'a', ['nightly', 'db']],
  ['2024-05-01T08:45:00Z', 'a', []],
  ['2024-05-01T09:05:00Z', 'a', []],
  ['2024-05-02T00:00:00.5Z', 'a', ['weekly']],
  ['2024-05-05T23:59:00Z', 'a', []],
  ['2024-05-06T00:01:00Z', 'a', []],
  ['2024-05-20T12:00:00+02:00', 'a', ['nightly']],
  ['2024-05-30T12:00:00+02:00', 'a', []],
  ['2024-05-31T06:00:00Z', 'a', []],
  ['2024-05-31T06:30:00Z', 'a', ['db']],
  ['2022-07-01T00:00:00Z', 'b', ['nightly']],
  ['2023-07-01T00:00:00Z', 'b', []],
  ['2024-01-15T00:00:00Z', 'b', ['weekly']],
  ['2024-05-30T18:00:00Z', 'b', []],
  ['2024-05-10T01:00:00Z', 'c', []],
  ['2024-05-10T02:00:00Z', 'c', []],
  ['2024-05-10T03:00:00Z', 'c', []],
];

test.before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'skiff-policy-'));
  const repo = await initRepository(new FsStorage(dir), PW, { kdf: { N: 1024, r: 8, p: 1 } });
  const tree = (await repo.saveBlob('tree', encodeTree([]))).id.toString('hex');
  await repo.flush();
  for (const [time, host, tags] of TIMES) {
    await saveSnapshot(repo, { time, tree, paths: ['/data'], hostname: host, username: 'u', ...(tags.length ? { tags } : {}) });
  }
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

const POLICIES: string[][] = [
  ['--keep-last', '3'],
  ['--keep-hourly', '5'],
  ['--keep-daily', '4'],
  ['--keep-weekly', '6'],
  ['--keep-monthly', '5'],
  ['--keep-yearly', '10'],
  ['--keep-daily', 'unlimited'],
  ['--keep-within', '1m2d'],
  ['--keep-within', '1y'],
  ['--keep-within-hourly', '2d', '--keep-within-daily', '10d'],
  ['--keep-within-weekly', '2m', '--keep-within-monthly', '1y', '--keep-within-yearly', '5y'],
  ['--keep-tag', 'nightly,db', '--keep-tag', 'weekly', '--keep-last', '1'],
  ['--keep-last', '2', '--keep-daily', '3', '--keep-weekly', '2', '--keep-monthly', '2', '--keep-yearly', '1', '--keep-within', '3d'],
  ['--keep-weekly', '3', '--group-by', ''],
  ['--keep-monthly', '2', '--group-by', 'host,tags'],
  ['--keep-last', '1', '--host', 'b'],
  ['--keep-daily', '5', '--keep-hourly', '1', '--keep-within-daily', '1y', '--host', 'c'],
];

interface Normal {
  groups: Record<string, { keep: string[]; remove: string[]; reasons: Record<string, { matches: string[]; counters: unknown }> }>;
}

function normalize(doc: unknown): Normal {
  const groups: Normal['groups'] = {};
  for (const g of doc as { host: string; paths: string[] | null; tags: string[] | null; keep: { id: string }[] | null; remove: { id: string }[] | null; reasons: { snapshot: { id?: string }; matches: string[]; counters: unknown }[] | null }[]) {
    const key = JSON.stringify([g.host, g.paths ?? [], g.tags ?? []]);
    const keep = (g.keep ?? []).map((s) => s.id);
    const reasons: Normal['groups'][string]['reasons'] = {};
    (g.reasons ?? []).forEach((r, i) => (reasons[r.snapshot.id ?? keep[i]!] = { matches: r.matches, counters: r.counters }));
    groups[key] = { keep: keep.sort(), remove: (g.remove ?? []).map((s) => s.id).sort(), reasons };
  }
  return { groups };
}

async function skiffForget(flags: string[]): Promise<unknown> {
  let stdout = '';
  let stderr = '';
  const sink = (f: (s: string) => void) => new Writable({ write: (c, _e, cb) => (f(String(c)), cb()) });
  const env = { SKIFF_PASSWORD: PW, SKIFF_REPOSITORY: dir };
  const code = await main(['repo', 'forget', '--dry-run', '--json', ...flags], { env, stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)) });
  if (code !== 0) throw new Error(`skiff forget ${flags.join(' ')} failed (${code}): ${stderr}`);
  return JSON.parse(stdout);
}

testWithRestic('forget policies agree with restic 0.18 (keep, remove, reasons, refusals)', '0.18', async (t, restic) => {
  for (const flags of POLICIES) {
    const theirs = await restic.run(['-r', dir, 'forget', '--dry-run', '--json', '--no-cache', ...flags], { password: PW, env: { TZ: 'UTC' } });
    const ours = await skiffForget(flags);
    t.deepEqual(normalize(ours), normalize(JSON.parse(theirs.stdout)), `policy ${flags.join(' ')}`);
  }
  // a policy that would empty a group is refused by both
  const flags = ['--keep-tag', 'no-such-tag'];
  await t.throwsAsync(restic.run(['-r', dir, 'forget', '--dry-run', '--json', '--no-cache', ...flags], { password: PW }), { message: /refusing to delete last snapshot/ });
  await t.throwsAsync(skiffForget(flags), { message: /refusing to delete last snapshot/ });
});

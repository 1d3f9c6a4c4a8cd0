/**
 * `skiff repo forget` and `skiff repo prune`, with restic's flags and wording. `forget --json`
 * prints restic's document (an array of groups with keep, remove and reasons); with `--prune` a
 * second JSON line holds the prune summary.
 */
import type { Command } from 'commander';
import {
  SkiffError,
  describeGroup,
  describePolicy,
  forget,
  parseDuration,
  parseGroupBy,
  parseMaxUnused,
  parseSize,
  parseTagList,
  prune,
  type ExpirePolicy,
  type ForgetGroup,
  type PruneOptions,
  type PruneResult,
  type Repository,
  type SnapshotEntry,
} from '../../repository/index.ts';
import { bytes, table, type Out } from '../output.ts';
import { makeProgress } from '../progress.ts';
import { openRepo, type Env, type GlobalOptions } from './context.ts';
import { withLock } from './with-lock.ts';

const collect = (v: string, prev: string[]) => [...prev, v];

interface PruneFlags {
  dryRun?: boolean;
  maxUnused: string;
  maxRepackSize?: string;
  repackSmall?: boolean;
  repackUncompressed?: boolean;
}

interface ForgetFlags extends PruneFlags {
  keepLast?: string;
  keepHourly?: string;
  keepDaily?: string;
  keepWeekly?: string;
  keepMonthly?: string;
  keepYearly?: string;
  keepWithin?: string;
  keepWithinHourly?: string;
  keepWithinDaily?: string;
  keepWithinWeekly?: string;
  keepWithinMonthly?: string;
  keepWithinYearly?: string;
  keepTag: string[];
  host: string[];
  tag: string[];
  path: string[];
  groupBy: string;
  prune?: boolean;
  unsafeAllowRemoveAll?: boolean;
}

function pruneFlags(c: Command): Command {
  return c
    .option('--max-unused <limit>', "unused space to tolerate: bytes with k/M/G/T, a percentage, or 'unlimited'", '5%')
    .option('--max-repack-size <size>', 'stop after repacking this much data (k/M/G/T)')
    .option('--repack-small', 'repack packs below 80% of the target pack size')
    .option('--repack-uncompressed', 'repack packs holding uncompressed data (repository version 2)');
}

export function registerForget(repo: Command, g: () => GlobalOptions, e: Env, out: Out): void {
  const c = repo
    .command('forget')
    .description('remove snapshots by ID or by a retention policy applied per group (data stays until prune)')
    .argument('[snapshots...]', 'snapshot IDs to remove (instead of a policy)')
    .option('-l, --keep-last <n>', "keep the last n snapshots ('unlimited' for all)")
    .option('-H, --keep-hourly <n>', 'keep the last n hourly snapshots')
    .option('-d, --keep-daily <n>', 'keep the last n daily snapshots')
    .option('-w, --keep-weekly <n>', 'keep the last n weekly snapshots')
    .option('-m, --keep-monthly <n>', 'keep the last n monthly snapshots')
    .option('-y, --keep-yearly <n>', 'keep the last n yearly snapshots')
    .option('--keep-within <duration>', 'keep snapshots newer than duration (e.g. 1y5m7d2h) before the newest')
    .option('--keep-within-hourly <duration>', 'keep hourly snapshots within duration of the newest')
    .option('--keep-within-daily <duration>', 'keep daily snapshots within duration of the newest')
    .option('--keep-within-weekly <duration>', 'keep weekly snapshots within duration of the newest')
    .option('--keep-within-monthly <duration>', 'keep monthly snapshots within duration of the newest')
    .option('--keep-within-yearly <duration>', 'keep yearly snapshots within duration of the newest')
    .option('--keep-tag <taglist>', 'keep snapshots having all these tags (comma-separated; repeatable)', collect, [])
    .option('--host <host>', 'only consider snapshots of this host (repeatable)', collect, [])
    .option('--tag <taglist>', 'only consider snapshots having all these tags (repeatable)', collect, [])
    .option('--path <path>', 'only consider snapshots including this path (repeatable)', collect, [])
    .option('-g, --group-by <group>', "group by host, paths and/or tags, comma-separated ('' for none)", 'host,paths')
    .option('-n, --dry-run', 'only show what would be removed')
    .option('--prune', 'run prune afterwards if snapshots were removed')
    .option('--unsafe-allow-remove-all', 'with a filter and no policy: remove every matching snapshot');
  pruneFlags(c).action(async (ids: string[], o: ForgetFlags) => {
    const policy = policyFrom(o);
    const pruneOpts = pruneOptionsFrom(o);
    const r = await openRepo(g(), e);
    await withLock(r, true, async () => {
      const res = await forget(r, {
        snapshots: ids,
        policy,
        groupBy: parseGroupBy(o.groupBy),
        filter: { hosts: o.host, tags: o.tag.map(parseTagList), paths: o.path },
        ...(o.unsafeAllowRemoveAll ? { unsafeAllowRemoveAll: true } : {}),
        dryRun: Boolean(o.dryRun),
        locked: true,
      });
      for (const w of res.warnings) out.err(`warning: ${w}`);
      if (out.json) out.data(res.groups.map(groupJSON));
      else {
        if (ids.length === 0) out.line(`Applying Policy: ${describePolicy(policy)}`);
        for (const grp of res.groups) printGroup(out, grp);
        const n = res.removed.length;
        out.line(o.dryRun ? `would have removed ${n} snapshots${n ? `: ${res.removed.map((id) => id.slice(0, 8)).join(', ')}` : ''}` : `removed ${n} snapshots`);
      }
      if (o.prune && res.removed.length > 0) {
        await runPrune(r, out, g(), { ...pruneOpts, locked: true, ignoreSnapshots: res.removed });
      }
    });
  });
}

export function registerPrune(repo: Command, g: () => GlobalOptions, e: Env, out: Out): void {
  const c = repo
    .command('prune')
    .description('remove data no snapshot needs: delete unused packs, repack partly used ones')
    .option('-n, --dry-run', 'only show what would be done');
  pruneFlags(c).action(async (o: PruneFlags) => {
    const opts = pruneOptionsFrom(o);
    const r = await openRepo(g(), e);
    await withLock(r, true, () => runPrune(r, out, g(), { ...opts, locked: true }));
  });
}

async function runPrune(r: Repository, out: Out, g: GlobalOptions, opts: PruneOptions): Promise<void> {
  const progress = makeProgress(!out.json && !g.quiet);
  const res = await prune(r, { ...opts, onProgress: (p) => progress.update(`${p.phase}: ${p.done}/${p.total}`) });
  progress.done();
  if (out.json) out.data(pruneJSON(res));
  else printPrune(out, res);
}

function count(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (v === 'unlimited') return -1;
  if (!/^\d+$/.test(v)) throw new SkiffError('Config', `invalid ${flag} "${v}": use a number of snapshots or 'unlimited'`);
  return Number(v);
}

function policyFrom(o: ForgetFlags): ExpirePolicy {
  const dur = (v: string | undefined) => (v === undefined ? undefined : parseDuration(v));
  const p = {
    last: count('--keep-last', o.keepLast),
    hourly: count('--keep-hourly', o.keepHourly),
    daily: count('--keep-daily', o.keepDaily),
    weekly: count('--keep-weekly', o.keepWeekly),
    monthly: count('--keep-monthly', o.keepMonthly),
    yearly: count('--keep-yearly', o.keepYearly),
    within: dur(o.keepWithin),
    withinHourly: dur(o.keepWithinHourly),
    withinDaily: dur(o.keepWithinDaily),
    withinWeekly: dur(o.keepWithinWeekly),
    withinMonthly: dur(o.keepWithinMonthly),
    withinYearly: dur(o.keepWithinYearly),
    tags: o.keepTag.map(parseTagList),
  };
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as ExpirePolicy;
}

function pruneOptionsFrom(o: PruneFlags): PruneOptions {
  return {
    maxUnused: parseMaxUnused(o.maxUnused),
    ...(o.maxRepackSize ? { maxRepackBytes: parseSize(o.maxRepackSize) } : {}),
    ...(o.repackSmall ? { repackSmall: true } : {}),
    ...(o.repackUncompressed ? { repackUncompressed: true } : {}),
    dryRun: Boolean(o.dryRun),
  };
}

const snapJSON = (s: SnapshotEntry) => ({ ...s.snapshot, id: s.id, short_id: s.id.slice(0, 8) });

function groupJSON(grp: ForgetGroup) {
  return {
    tags: grp.key.tags.length ? grp.key.tags : null,
    host: grp.key.hostname,
    paths: grp.key.paths.length ? grp.key.paths : null,
    keep: grp.keep.map(snapJSON),
    remove: grp.remove.map(snapJSON),
    reasons: grp.reasons.map((r) => ({ snapshot: snapJSON(r.entry), matches: r.matches })),
  };
}

function printGroup(out: Out, grp: ForgetGroup): void {
  out.line(`snapshots for ${describeGroup(grp.key)}:`);
  const rows = (list: SnapshotEntry[], why?: Map<string, string[]>) => {
    const t = [['ID', 'Time', 'Host', 'Tags', ...(why ? ['Reasons'] : []), 'Paths']];
    for (const s of list) {
      const reasons = why?.get(s.id) ?? [];
      const time = s.snapshot.time.slice(0, 19).replace('T', ' ');
      t.push([s.id.slice(0, 8), time, s.snapshot.hostname ?? '', (s.snapshot.tags ?? []).join(','), ...(why ? [reasons[0] ?? ''] : []), s.snapshot.paths.join(', ')]);
      for (const extra of reasons.slice(1)) t.push(['', '', '', '', extra, '']);
    }
    return table(t);
  };
  if (grp.keep.length) out.line(`keep ${grp.keep.length} snapshots:\n${rows(grp.keep, new Map(grp.reasons.map((r) => [r.entry.id, r.matches])))}\n`);
  if (grp.remove.length) out.line(`remove ${grp.remove.length} snapshots:\n${rows(grp.remove)}\n`);
}

function pruneJSON(res: PruneResult) {
  return {
    message_type: 'prune',
    dry_run: res.dryRun,
    snapshots: res.snapshots,
    stats: res.stats,
    summary: res.summary,
    packs: { keep: res.plan.keep.length, repack: res.plan.repack, remove: res.plan.remove, unreferenced: res.plan.unreferenced, forget_missing: res.plan.forgetMissing },
    new_packs: res.newPacks,
    new_index: res.newIndexFiles,
    removed_index: res.removedIndexFiles,
  };
}

function printPrune(out: Out, res: PruneResult): void {
  const { stats: s, summary: m } = res;
  const pct = (a: number, b: number) => `${b > 0 ? ((100 * a) / b).toFixed(3) : '0.000'}%`;
  const line = (label: string, n: number, size: number) => out.line(`${label.padEnd(14)}${String(n).padStart(10)} blobs / ${bytes(size)}`);
  line('used:', s.blobs.used, s.size.used);
  if (s.blobs.duplicate) line('duplicates:', s.blobs.duplicate, s.size.duplicate);
  line('unused:', s.blobs.unused, s.size.unused);
  if (s.size.unref) out.line(`${'unreferenced:'.padEnd(31)}${bytes(s.size.unref)}`);
  line('total:', m.totalBlobs, m.totalSize);
  out.line(`unused size: ${pct(m.unusedSize, m.totalSize)} of total size\n`);
  line('to repack:', s.blobs.repack, s.size.repack);
  line('this removes:', s.blobs.repackrm, s.size.repackrm);
  line('to delete:', s.blobs.remove, s.size.remove + s.size.unref);
  line('total prune:', m.pruneBlobs, m.pruneSize);
  if (s.size.uncompressed) out.line(`${'not yet compressed:'.padEnd(31)}${bytes(s.size.uncompressed)}`);
  line('remaining:', m.remainingBlobs, m.remainingSize);
  out.line(`unused size after prune: ${bytes(m.unusedAfter)} (${pct(m.unusedAfter, m.remainingSize)} of remaining size)\n`);
  out.line(`packs: ${s.packs.keep} to keep, ${s.packs.repack} to repack, ${s.packs.remove} to delete, ${s.packs.unref} unreferenced to delete`);
  if (res.dryRun) out.line('dry run: nothing was changed');
  else out.line(`done: ${res.newPacks.length} new packs, ${res.newIndexFiles.length} new index files, ${res.plan.repack.length + res.plan.remove.length + res.plan.unreferenced.length} packs deleted`);
}

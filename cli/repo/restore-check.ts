import type { Command } from 'commander';
import { check, parseSubset, resolveSnapshot, restoreTree, SkiffError } from '../../repository/index.ts';
import { bytes, seconds, type Out } from '../output.ts';
import { makeProgress } from '../progress.ts';
import { EXIT } from '../exit-codes.ts';
import { openRepo, type Env, type GlobalOptions } from './context.ts';
import { withLock } from './with-lock.ts';

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerRestore(repo: Command, g: () => GlobalOptions, e: Env, out: Out, setExit: (c: number) => void): void {
  repo
    .command('restore')
    .description('restore a snapshot into a target directory')
    .argument('<snapshot>', 'snapshot ID or "latest"')
    .requiredOption('-t, --target <dir>', 'directory to restore into')
    .option('-i, --include <path>', 'restore only this path of the snapshot (repeatable)', collect, [])
    .option('-H, --host <host>', 'with "latest": only snapshots of this host', collect, [])
    .option('--no-sparse', 'write zero blocks instead of leaving holes')
    .action(async (ref: string, o: { target: string; include: string[]; host: string[]; sparse: boolean }) => {
      const r = await openRepo(g(), e);
      const started = Date.now();
      const progress = makeProgress(!out.json && !g().quiet);
      const res = await withLock(r, false, async () => {
        const sn = await resolveSnapshot(r, ref, { hosts: o.host });
        if (!out.json) out.line(`restoring snapshot ${sn.id.slice(0, 8)} of ${JSON.stringify(sn.snapshot.paths)} to ${o.target}`);
        return restoreTree(r, sn.snapshot.tree, {
          target: o.target,
          include: o.include,
          sparse: o.sparse,
          onProgress: (p) => progress.update(`${bytes(p.bytesDone)} / ${bytes(p.totalBytes)}`),
        });
      }, { loadIndex: true });
      progress.done();
      for (const w of res.warnings) out.err(`error: ${w.path}: ${w.message}`);
      if (out.json) out.data({ message_type: 'summary', files_restored: res.files, dirs_restored: res.dirs, bytes_restored: res.bytes, errors: res.warnings });
      else out.line(`restored ${res.files} files, ${res.dirs} directories, ${bytes(res.bytes)} in ${seconds(Date.now() - started)}`);
      if (res.warnings.length) {
        out.err(`Fatal: there were ${res.warnings.length} errors`);
        setExit(EXIT.failure);
      }
    });
}

export function registerCheck(repo: Command, g: () => GlobalOptions, e: Env, out: Out, setExit: (c: number) => void): void {
  repo
    .command('check')
    .description('verify the repository structure, and with --read-data the pack contents')
    .option('--read-data', 'read and verify every pack')
    .option('--read-data-subset <subset>', 'read and verify a subset of packs: n/t or P%')
    .action(async (o: { readData?: boolean; readDataSubset?: string }) => {
      if (o.readData && o.readDataSubset) throw new SkiffError('Config', '--read-data and --read-data-subset are mutually exclusive');
      const subset = o.readDataSubset ? parseSubset(o.readDataSubset) : undefined;
      const r = await openRepo(g(), e);
      const progress = makeProgress(!out.json && !g().quiet);
      const res = await withLock(r, false, () =>
        check(r, {
          ...(o.readData ? { readData: true } : {}),
          ...(subset ? { subset } : {}),
          onProgress: (p) => progress.update(`${p.phase}: ${p.done}/${p.total} packs`),
        }),
      );
      progress.done();
      if (out.json) out.data({ message_type: 'summary', problems: res.problems, hints: res.hints, snapshots: res.snapshots, packs: res.packs, packs_read: res.packsRead });
      else {
        for (const h of res.hints) out.line(`hint: ${h}`);
        for (const p of res.problems) {
          const aff = p.snapshots?.length ? ` (affects snapshots ${p.snapshots.map((s) => s.slice(0, 8)).join(', ')})` : '';
          out.err(`error: ${p.message}${aff}`);
        }
        out.line(`checked ${res.snapshots} snapshots, ${res.packs} packs (${res.packsRead} read), ${res.blobs} blobs`);
        out.line(res.problems.length ? `${res.problems.length} errors found` : 'no errors were found');
      }
      if (res.problems.length) setExit(EXIT.failure);
    });
}

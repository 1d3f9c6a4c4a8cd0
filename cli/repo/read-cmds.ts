import type { Command } from 'commander';
import {
  SkiffError,
  decodeTree,
  listSnapshots,
  matches,
  resolveSnapshot,
  stats,
  type Node,
  type Repository,
} from '../../repository/index.ts';
import { bytes, table, type Out } from '../output.ts';
import { openRepo, type Env, type GlobalOptions } from './context.ts';

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerSnapshots(repo: Command, g: () => GlobalOptions, e: Env, out: Out): void {
  repo
    .command('snapshots')
    .description('list snapshots')
    .option('-H, --host <host>', 'only snapshots of this host (repeatable)', collect, [])
    .option('--tag <tag>', 'only snapshots with this tag (repeatable)', collect, [])
    .option('--path <path>', 'only snapshots of this path (repeatable)', collect, [])
    .action(async (o: { host: string[]; tag: string[]; path: string[] }) => {
      const r = await openRepo(g(), e);
      const all = (await listSnapshots(r, { onError: (id, err) => out.err(`warning: snapshot ${id.slice(0, 8)}: ${(err as Error).message}`) })).filter((s) =>
        matches(s.snapshot, { hosts: o.host, tags: o.tag, paths: o.path }),
      );
      if (out.json) {
        out.data(all.map((s) => ({ ...s.snapshot, id: s.id, short_id: s.id.slice(0, 8) })));
        return;
      }
      const rows = [['ID', 'Time', 'Host', 'Tags', 'Paths']];
      for (const s of all) {
        rows.push([s.id.slice(0, 8), s.snapshot.time.slice(0, 19).replace('T', ' '), s.snapshot.hostname ?? '', (s.snapshot.tags ?? []).join(','), s.snapshot.paths.join(', ')]);
      }
      out.line(table(rows));
      out.line(`${all.length} snapshots`);
    });
}

export function registerLs(repo: Command, g: () => GlobalOptions, e: Env, out: Out): void {
  repo
    .command('ls')
    .description('list files in a snapshot')
    .argument('<snapshot>', 'snapshot ID or "latest"')
    .argument('[dirs...]', 'only entries under these paths')
    .option('-l, --long', 'long format')
    .action(async (ref: string, dirs: string[], o: { long?: boolean }) => {
      const r = await openRepo(g(), e);
      await r.loadIndex();
      const sn = await resolveSnapshot(r, ref);
      if (out.json) out.data({ ...sn.snapshot, id: sn.id, struct_type: 'snapshot' });
      else out.line(`snapshot ${sn.id.slice(0, 8)} of ${JSON.stringify(sn.snapshot.paths)} at ${sn.snapshot.time}:`);
      const prefixes = dirs.map((d) => '/' + d.replace(/^\/+|\/+$/g, ''));
      const want = (p: string) => prefixes.length === 0 || prefixes.some((d) => p === d || p.startsWith(d + '/') || d.startsWith(p + '/'));
      await walkTree(r, sn.snapshot.tree, '', (p, n) => {
        if (!want(p)) return false;
        if (out.json) out.data({ name: n.name.toString(), type: n.type, path: p, size: Number(n.size ?? 0n), mode: n.mode, mtime: n.mtime, uid: n.uid, gid: n.gid, struct_type: 'node' });
        else out.line(o.long ? longLine(p, n) : p);
        return true;
      });
    });
}

async function walkTree(r: Repository, tree: string, dir: string, visit: (p: string, n: Node) => boolean): Promise<void> {
  for (const n of decodeTree(await r.loadBlob('tree', Buffer.from(tree, 'hex')))) {
    const p = `${dir}/${n.name.toString()}`;
    if (!visit(p, n)) continue;
    if (n.type === 'dir' && n.subtree) await walkTree(r, n.subtree, p, visit);
  }
}

function longLine(p: string, n: Node): string {
  const t = { file: '-', dir: 'd', symlink: 'l', dev: 'b', chardev: 'c', fifo: 'p', socket: 's' }[n.type];
  const perm = (n.mode & 0o777).toString(8).padStart(3, '0');
  const target = n.type === 'symlink' ? ` -> ${n.linktarget?.toString() ?? ''}` : '';
  return `${t}${perm} ${n.user || n.uid} ${n.group || n.gid} ${String(n.size ?? 0n).padStart(10)} ${n.mtime.slice(0, 19).replace('T', ' ')} ${p}${target}`;
}

export function registerStats(repo: Command, g: () => GlobalOptions, e: Env, out: Out): void {
  repo
    .command('stats')
    .description('sizes and blob counts of snapshots and of the repository')
    .argument('[snapshots...]', 'snapshot IDs (default: all)')
    .action(async (refs: string[]) => {
      const r = await openRepo(g(), e);
      await r.loadIndex();
      const snaps = refs.length ? await Promise.all(refs.map((ref) => resolveSnapshot(r, ref))) : await listSnapshots(r);
      const s = await stats(r, snaps);
      if (out.json) {
        out.data({
          snapshots_count: s.snapshots,
          total_file_count: s.restoreFiles,
          total_size: s.restoreBytes,
          total_uncompressed_size: s.rawBytes,
          total_blob_count: s.uniqueBlobs,
          raw_stored_size: s.storedBytes,
          compression_ratio: s.compressionRatio,
          data_blobs: s.dataBlobs,
          tree_blobs: s.treeBlobs,
          packs: s.packs,
        });
        return;
      }
      out.line(`Snapshots:          ${s.snapshots}`);
      out.line(`Restore size:       ${bytes(s.restoreBytes)} in ${s.restoreFiles} files`);
      out.line(`Unique data:        ${bytes(s.rawBytes)} in ${s.uniqueBlobs} blobs`);
      out.line(`Stored (packed):    ${bytes(s.storedBytes)}`);
      out.line(`Compression ratio:  ${s.compressionRatio.toFixed(2)}x`);
      out.line(`Repository:         ${s.dataBlobs} data blobs, ${s.treeBlobs} tree blobs, ${s.packs} packs`);
    });
}

export function registerCat(repo: Command, g: () => GlobalOptions, e: Env, out: Out): void {
  repo
    .command('cat')
    .description('print an internal object: config, index, snapshot, key, lock, pack, blob, tree')
    .argument('<type>')
    .argument('[id]')
    .action(async (type: string, id: string | undefined) => {
      const r = await openRepo(g(), e);
      const need = () => {
        if (!id) throw new SkiffError('Config', `cat ${type} needs an ID`);
        return id;
      };
      switch (type) {
        case 'config':
          out.line(JSON.stringify({ version: r.config.version, id: r.config.id, chunker_polynomial: r.config.chunkerPolynomial }, null, 2));
          return;
        case 'index':
        case 'snapshot':
        case 'lock': {
          const full = await r.resolveId(type, need());
          out.line((await r.loadUnpacked(type, full)).toString());
          return;
        }
        case 'key': {
          const full = await r.resolveId('key', need());
          out.line((await r.storage.load({ type: 'key', name: full })).toString());
          return;
        }
        case 'blob':
        case 'tree': {
          await r.loadIndex();
          const b = Buffer.from(need(), 'hex');
          const loc = r.index.get(b);
          if (!loc) throw new SkiffError('NotFound', `blob ${need()} not found in index`);
          process.stdout.write(await r.loadBlob(type === 'tree' ? 'tree' : loc.type, b));
          return;
        }
        default:
          throw new SkiffError('Config', `cat: unknown type "${type}" (config, index, snapshot, key, lock, blob, tree)`);
      }
    });
}

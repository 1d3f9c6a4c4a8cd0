import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { backup, initRepository, parseExcludeFile, SkiffError } from '../../repository/index.ts';
import { bytes, seconds, type Out } from '../output.ts';
import { makeProgress, rate } from '../progress.ts';
import { EXIT } from '../exit-codes.ts';
import { openRepo, readPassword, repoOptions, storageFor, type Env, type GlobalOptions } from './context.ts';
import { withLock } from './with-lock.ts';

export function registerInit(repo: Command, g: () => GlobalOptions, e: Env, out: Out, setExit: (c: number) => void): void {
  repo
    .command('init')
    .description('create a new repository')
    .option('--repository-version <v>', 'format version 1 or 2', '2')
    .action(async (o: { repositoryVersion: string }) => {
      const version = Number(o.repositoryVersion);
      if (version !== 1 && version !== 2) throw new SkiffError('Config', 'repository version must be 1 or 2');
      const storage = storageFor(g(), e);
      const password = await readPassword(g(), e);
      const r = await initRepository(storage, password, { ...repoOptions(g(), e), version });
      if (out.json) out.data({ message_type: 'initialized', id: r.config.id, repository: storage.location });
      else out.line(`created repository ${r.config.id.slice(0, 10)} at ${storage.location}`);
      void setExit;
    });
}

interface BackupFlags {
  exclude: string[];
  excludeFile: string[];
  tag: string[];
  host?: string;
  parent?: string;
  force?: boolean;
}

export function registerBackup(repo: Command, g: () => GlobalOptions, e: Env, out: Out, setExit: (c: number) => void): void {
  const collect = (v: string, prev: string[]) => [...prev, v];
  repo
    .command('backup')
    .description('back up files and directories into a new snapshot')
    .argument('<paths...>')
    .option('-e, --exclude <pattern>', 'exclude a pattern (repeatable)', collect, [])
    .option('--exclude-file <file>', 'read exclude patterns from a file (repeatable)', collect, [])
    .option('--tag <tag>', 'add a tag (repeatable; commas separate several)', collect, [])
    .option('-H, --host <name>', 'hostname recorded in the snapshot')
    .option('--parent <snapshot>', 'use this snapshot as parent instead of the latest matching one')
    .option('-f, --force', 'read every file, ignoring the parent')
    .action(async (paths: string[], o: BackupFlags) => {
      const excludes = [...o.exclude];
      for (const f of o.excludeFile) excludes.push(...parseExcludeFile(await readFile(f, 'utf8')));
      const r = await openRepo(g(), e);
      const started = Date.now();
      const progress = makeProgress(!out.json && !g().quiet);
      const res = await withLock(r, false, () =>
        backup(r, {
          paths,
          cwd: e.cwd,
          excludes,
          tags: o.tag.flatMap((t) => t.split(',')).filter(Boolean),
          ...(o.host ? { hostname: o.host } : {}),
          ...(o.parent ? { parent: o.parent } : {}),
          ...(o.force ? { force: true } : {}),
          ...(progress.enabled ? { onProgress: (p) => progress.update(() => `${p.filesDone} files, ${bytes(p.bytesDone)}, ${rate(p.bytesDone, started)}  ${p.current}`) } : {}),
          onWarning: (p, err) => {
            progress.done();
            out.err(`warning: ${p}: ${err.message}`);
          },
        }),
        { loadIndex: true },
      );
      progress.done();
      const s = res.stats;
      if (out.json) {
        out.data({
          message_type: 'summary',
          snapshot_id: res.snapshotId,
          parent: res.parentId ?? null,
          files_new: s.filesNew,
          files_changed: s.filesChanged,
          files_unmodified: s.filesUnmodified,
          dirs_new: s.dirsNew,
          data_blobs: s.dataBlobs,
          tree_blobs: s.treeBlobs,
          data_added: s.dataAddedPacked,
          total_files_processed: s.totalFilesProcessed,
          total_bytes_processed: s.totalBytesProcessed,
          total_duration: (Date.now() - started) / 1000,
          errors: res.warnings,
        });
      } else {
        if (res.parentId) out.line(`using parent snapshot ${res.parentId.slice(0, 8)}`);
        out.line(`Files:       ${s.filesNew} new, ${s.filesChanged} changed, ${s.filesUnmodified} unmodified`);
        out.line(`Added to the repository: ${bytes(s.dataAddedPacked)}`);
        out.line(`processed ${s.totalFilesProcessed} files, ${bytes(s.totalBytesProcessed)} in ${seconds(Date.now() - started)}`);
        out.line(`snapshot ${res.snapshotId.slice(0, 8)} saved`);
      }
      if (res.warnings.length > 0) {
        out.err(`Warning: at least one source file could not be read (${res.warnings.length}); the snapshot is incomplete`);
        setExit(EXIT.incomplete);
      }
    });
}

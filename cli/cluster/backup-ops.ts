/** `skiff backup delete|logs|download`: all go through request objects the server processes. */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Command } from 'commander';
import { API_VERSION, type Backup, type DeleteBackupRequest, LABELS, PLURALS } from '../../crds/index.ts';
import { SkiffError } from '../../repository/index.ts';
import type { ClusterFlags } from './client.ts';
import { type ClusterContext, client, requireConfirmation } from './context.ts';
import { downloadTarget } from './download.ts';
import { fetchOptions, targets } from './fetch.ts';
import { withClusterFlags } from './flags.ts';

type DeleteFlags = ClusterFlags & { confirm?: boolean; all?: boolean; selector?: string };
type FetchFlags = ClusterFlags & { timeout?: string; cacert?: string; insecureSkipTlsVerify?: boolean };

function withFetchFlags(cmd: Command): Command {
  return cmd
    .option('--timeout <seconds>', 'how long to wait for the server to provide the file (default 60)')
    .option('--cacert <file>', 'CA bundle for the object store')
    .option('--insecure-skip-tls-verify', 'do not verify the object store TLS certificate');
}

export function registerBackupOps(backup: Command, ctx: ClusterContext): void {
  const del = backup
    .command('delete')
    .description('delete backups: their files in object storage, then the Backup objects')
    .argument('[names...]', 'backup names')
    .option('--confirm', 'do not ask for confirmation')
    .option('--all', 'delete all backups')
    .option('-l, --selector <selector>', 'delete backups with these labels');
  withClusterFlags(del).action(async (names: string[], o: DeleteFlags) => {
    const c = client(ctx, o);
    const list = await targets(c, PLURALS.Backup, names, o);
    if (list.length === 0) {
      ctx.out.line('No backups found.');
      return;
    }
    await requireConfirmation(ctx, o.confirm, `Delete backup(s) ${list.join(', ')} and their data in object storage`, '--confirm');
    for (const name of list) {
      const b = await c.get<Backup>(PLURALS.Backup, name);
      if (b === undefined) throw new SkiffError('NotFound', `backup ${name} not found in namespace ${c.namespace}`);
      const req: DeleteBackupRequest = {
        apiVersion: API_VERSION,
        kind: 'DeleteBackupRequest',
        metadata: {
          generateName: `${name.slice(0, 52)}-`,
          namespace: c.namespace,
          labels: { [LABELS.backupName]: name.slice(0, 63), ...(b.metadata.uid ? { [LABELS.backupUid]: b.metadata.uid } : {}) },
        },
        spec: { backupName: name },
      };
      await c.create(PLURALS.DeleteBackupRequest, req);
      ctx.out.line(`Request to delete backup "${name}" submitted successfully.`);
    }
    ctx.out.line('The backups will be fully deleted after their data in object storage is removed.');
  });

  const logs = backup.command('logs').description("print a backup's log").argument('<name>', 'backup name');
  withClusterFlags(withFetchFlags(logs)).action(async (name: string, o: FetchFlags) => {
    const c = client(ctx, o);
    const data = await downloadTarget(ctx, c, { kind: 'BackupLog', name }, await fetchOptions(o));
    ctx.out.line(gunzipSync(data).toString('utf8').trimEnd());
  });

  const dl = backup
    .command('download')
    .description("download a backup's contents (the resources tarball)")
    .argument('<name>', 'backup name')
    .option('-o, --output <file>', 'where to write it (default <name>-data.tar.gz)')
    .option('--force', 'overwrite an existing file');
  withClusterFlags(withFetchFlags(dl)).action(async (name: string, o: FetchFlags & { output?: string; force?: boolean }) => {
    const file = path.resolve(ctx.e.cwd, o.output ?? `${name}-data.tar.gz`);
    if (existsSync(file) && o.force !== true) throw new SkiffError('Config', `${file} exists: use --force to overwrite it`);
    const data = await downloadTarget(ctx, client(ctx, o), { kind: 'BackupContents', name }, await fetchOptions(o));
    await writeFile(file, data);
    ctx.out.line(`Backup ${name} has been successfully downloaded to ${file}`);
  });
}

/** `skiff backup get [NAME...]` and `skiff backup describe NAME... [--details]`. */
import { gunzipSync } from 'node:zlib';
import type { Command } from 'commander';
import { type Backup, LABELS, PLURALS, type PodVolumeBackup } from '../../crds/index.ts';
import type { ClusterClient, ClusterFlags } from './client.ts';
import { type ClusterContext, client } from './context.ts';
import { describeBackup } from './describe.ts';
import { downloadTarget } from './download.ts';
import { fetchNamed, fetchOptions } from './fetch.ts';
import { outputFormat, withClusterFlags, withOutput } from './flags.ts';
import { formatObject, formatTime, printObjects, until } from './print.ts';
import { formatLabelSelector } from './selector.ts';

type GetFlags = ClusterFlags & { selector?: string; output?: string };
type DescribeFlags = GetFlags & { details?: boolean; timeout?: string; cacert?: string; insecureSkipTlsVerify?: boolean };

export function backupRow(b: Backup, now = new Date()): string[] {
  const s = b.status;
  const selector = b.spec.orLabelSelectors?.length ? b.spec.orLabelSelectors.map(formatLabelSelector).join(' or ') : formatLabelSelector(b.spec.labelSelector);
  return [
    b.metadata.name ?? '',
    s?.phase ?? 'New',
    String(s?.errors ?? 0),
    String(s?.warnings ?? 0),
    formatTime(b.metadata.creationTimestamp),
    until(s?.expiration, now),
    b.spec.storageLocation ?? '',
    selector,
  ];
}

export const BACKUP_HEADER = ['NAME', 'STATUS', 'ERRORS', 'WARNINGS', 'CREATED', 'EXPIRES', 'STORAGE LOCATION', 'SELECTOR'];

export function registerBackupGet(backup: Command, ctx: ClusterContext): void {
  const get = backup.command('get').description('list backups').argument('[names...]', 'backup names (default: all)');
  get.option('-l, --selector <selector>', 'only backups with these labels');
  withClusterFlags(withOutput(get)).action(async (names: string[], o: GetFlags) => {
    const items = await fetchNamed<Backup>(client(ctx, o), PLURALS.Backup, names, o.selector);
    printObjects(ctx.out, outputFormat(o.output), items, { header: BACKUP_HEADER, row: (b) => backupRow(b), single: names.length === 1 });
  });

  const describe = backup.command('describe').description('show details of backups').argument('[names...]', 'backup names (default: all)');
  describe
    .option('-l, --selector <selector>', 'only backups with these labels')
    .option('--details', 'also list the backed-up resources and pod volume backups')
    .option('--timeout <seconds>', 'how long to wait for the resource list (default 60)')
    .option('--cacert <file>', 'CA bundle for the object store')
    .option('--insecure-skip-tls-verify', 'do not verify the object store TLS certificate');
  withClusterFlags(withOutput(describe)).action(async (names: string[], o: DescribeFlags) => {
    const c = client(ctx, o);
    const items = await fetchNamed<Backup>(c, PLURALS.Backup, names, o.selector);
    const format = outputFormat(o.output);
    for (const b of items) {
      if (format !== 'table') ctx.out.line(formatObject(b, format));
      else ctx.out.line(describeBackup(b, o.details === true ? await details(ctx, c, b, o) : []) + '\n');
    }
  });
}

async function details(ctx: ClusterContext, c: ClusterClient, b: Backup, o: DescribeFlags): Promise<string[]> {
  const name = b.metadata.name ?? '';
  const lines = ['', 'Resource List:'];
  try {
    const data = await downloadTarget(ctx, c, { kind: 'BackupResourceList', name }, await fetchOptions(o));
    const resources = JSON.parse(gunzipSync(data).toString('utf8')) as Record<string, string[]>;
    for (const [kind, objs] of Object.entries(resources).sort(([a], [x]) => a.localeCompare(x))) {
      lines.push(`  ${kind}:`, ...objs.map((obj) => `    - ${obj}`));
    }
  } catch (err) {
    lines.push(`  <error getting resource list: ${(err as Error).message}>`);
  }
  const pvbs = await c.list<PodVolumeBackup>(PLURALS.PodVolumeBackup, { labelSelector: `${LABELS.backupName}=${name}` });
  lines.push('', `Pod Volume Backups:${pvbs.length === 0 ? '  <none included>' : ''}`);
  for (const p of pvbs) {
    lines.push(`  ${p.spec.pod.namespace}/${p.spec.pod.name}: ${p.spec.volume} (${p.status?.phase ?? 'New'}${p.status?.message ? `: ${p.status.message}` : ''})`);
  }
  return lines;
}

/** `skiff backup create [NAME]`: a Backup from flags, or from a Schedule's template (--from-schedule). */
import type { Command } from 'commander';
import { API_VERSION, type Backup, LABELS, PLURALS, type Schedule } from '../../crds/index.ts';
import { SkiffError } from '../../repository/index.ts';
import type { ClusterFlags } from './client.ts';
import { type BackupFlags, backupSpecFrom, metaFrom, timestampedName, withBackupSpecFlags } from './backup-spec.ts';
import { type ClusterContext, client } from './context.ts';
import { outputFormat, withClusterFlags, withOutput } from './flags.ts';
import { formatObject } from './print.ts';
import { waitForTerminal } from './wait.ts';

type CreateFlags = BackupFlags & ClusterFlags & { fromSchedule?: string; wait?: boolean; output?: string };

export function namespaceOf(ctx: ClusterContext, o: ClusterFlags): string {
  return o.namespace ?? ctx.e.env['SKIFF_NAMESPACE'] ?? 'skiff';
}

export function registerBackupCreate(backup: Command, ctx: ClusterContext): void {
  const cmd = backup
    .command('create')
    .description('create a backup')
    .argument('[name]', 'backup name (default with --from-schedule: <schedule>-<timestamp>)')
    .option('--from-schedule <schedule>', "create the backup from a schedule's template")
    .option('-w, --wait', 'wait for the backup to finish; exit non-zero unless it Completed');
  withBackupSpecFlags(cmd);
  withOutput(cmd, 'print the Backup as json or yaml instead of creating it');
  withClusterFlags(cmd).action(async (name: string | undefined, o: CreateFlags) => createBackup(ctx, name, o));
}

async function createBackup(ctx: ClusterContext, name: string | undefined, o: CreateFlags): Promise<void> {
  const format = o.output === undefined ? undefined : outputFormat(o.output);
  if (format === 'table') throw new SkiffError('Config', '-o table is not supported by create: use json or yaml');
  const namespace = namespaceOf(ctx, o);
  let spec = backupSpecFrom(o);
  let extraLabels: Record<string, string> = {};
  if (o.fromSchedule !== undefined) {
    if (Object.keys(spec).length > 0) throw new SkiffError('Config', '--from-schedule cannot be combined with backup spec flags');
    const schedule = await client(ctx, o).get<Schedule>(PLURALS.Schedule, o.fromSchedule);
    if (schedule === undefined) throw new SkiffError('NotFound', `schedule ${o.fromSchedule} not found in namespace ${namespace}`);
    spec = { ...schedule.spec.template };
    extraLabels = { ...schedule.spec.template.metadata?.labels, [LABELS.scheduleName]: o.fromSchedule };
    name ??= timestampedName(o.fromSchedule);
  }
  if (name === undefined) throw new SkiffError('Config', 'a backup name is required (or use --from-schedule)');
  const obj: Backup = { apiVersion: API_VERSION, kind: 'Backup', metadata: metaFrom(name, namespace, o, extraLabels), spec };
  if (format !== undefined) {
    ctx.out.line(formatObject(obj, format));
    return;
  }
  const c = client(ctx, o);
  await c.create(PLURALS.Backup, obj);
  ctx.out.line(`Backup request "${name}" submitted successfully.`);
  if (o.wait === true) await waitForTerminal(ctx, c, 'backup', name);
  else ctx.out.line(`Run \`skiff backup describe ${name}\` or \`skiff backup logs ${name}\` for more details.`);
}

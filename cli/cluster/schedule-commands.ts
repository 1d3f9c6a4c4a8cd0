/** `skiff schedule create|get|describe|pause|unpause|delete`. */
import type { Command } from 'commander';
import { API_VERSION, PLURALS, type Schedule } from '../../crds/index.ts';
import { SkiffError } from '../../repository/index.ts';
import { namespaceOf } from './backup-create.ts';
import { type BackupFlags, backupSpecFrom, metaFrom, withBackupSpecFlags } from './backup-spec.ts';
import type { ClusterFlags } from './client.ts';
import { type ClusterContext, client, requireConfirmation } from './context.ts';
import { describeSchedule } from './describe.ts';
import { fetchNamed, targets } from './fetch.ts';
import { optionalBool, outputFormat, withClusterFlags, withOutput } from './flags.ts';
import { age, formatObject, printObjects } from './print.ts';

type CreateFlags = BackupFlags &
  ClusterFlags & { schedule?: string; paused?: boolean; skipImmediately?: string | boolean; useOwnerReferencesInBackup?: string | boolean; output?: string };
type SelectFlags = ClusterFlags & { all?: boolean; selector?: string };

export const SCHEDULE_HEADER = ['NAME', 'STATUS', 'SCHEDULE', 'LASTBACKUP', 'AGE', 'PAUSED'];

export function scheduleRow(s: Schedule, now = new Date()): string[] {
  const last = s.status?.lastBackup;
  return [
    s.metadata.name ?? '',
    s.status?.phase ?? 'New',
    s.spec.schedule,
    last ? age(last, now) : 'n/a',
    age(s.metadata.creationTimestamp, now),
    String(s.spec.paused === true),
  ];
}

export function scheduleFrom(name: string, namespace: string, o: CreateFlags): Schedule {
  if (o.schedule === undefined || o.schedule.trim() === '') throw new SkiffError('Config', '--schedule is required (cron, e.g. "0 1 * * *", or "@every 6h")');
  const template = backupSpecFrom(o);
  if (o.labels !== undefined) template.metadata = { labels: o.labels };
  const skip = optionalBool(o.skipImmediately, 'skip-immediately');
  const owners = optionalBool(o.useOwnerReferencesInBackup, 'use-owner-references-in-backup');
  return {
    apiVersion: API_VERSION,
    kind: 'Schedule',
    metadata: metaFrom(name, namespace, o),
    spec: {
      schedule: o.schedule.trim(),
      template,
      ...(o.paused === true ? { paused: true } : {}),
      ...(skip !== undefined ? { skipImmediately: skip } : {}),
      ...(owners !== undefined ? { useOwnerReferencesInBackup: owners } : {}),
    },
  };
}

function registerPause(schedule: Command, ctx: ClusterContext, verb: 'pause' | 'unpause'): void {
  const cmd = schedule
    .command(verb)
    .description(verb === 'pause' ? 'stop schedules from creating backups' : 'let schedules create backups again')
    .argument('[names...]')
    .option('--all', `${verb} all schedules`)
    .option('-l, --selector <selector>', `${verb} schedules with these labels`);
  if (verb === 'unpause') cmd.option('--skip-immediately [bool]', 'do not back up at once on unpause, wait for the next scheduled time');
  withClusterFlags(cmd).action(async (names: string[], o: SelectFlags & { skipImmediately?: string | boolean }) => {
    const c = client(ctx, o);
    const skip = optionalBool(o.skipImmediately, 'skip-immediately');
    for (const n of await targets(c, PLURALS.Schedule, names, o)) {
      if ((await c.get(PLURALS.Schedule, n)) === undefined) throw new SkiffError('NotFound', `schedule ${n} not found in namespace ${c.namespace}`);
      await c.patch(PLURALS.Schedule, n, { spec: { paused: verb === 'pause', ...(skip !== undefined ? { skipImmediately: skip } : {}) } });
      ctx.out.line(`Schedule "${n}" ${verb === 'pause' ? 'paused' : 'unpaused'} successfully.`);
    }
  });
}

export function registerSchedule(program: Command, ctx: ClusterContext): void {
  const schedule = program.command('schedule').description('work with backup schedules');
  const create = schedule
    .command('create')
    .description('create a schedule of backups')
    .argument('<name>')
    .option('--schedule <cron>', 'standard cron expression ("0 1 * * *") or "@every <duration>"')
    .option('--paused', 'create the schedule paused')
    .option('--skip-immediately [bool]', 'do not back up at once when the schedule is created or unpaused')
    .option('--use-owner-references-in-backup [bool]', 'make the schedule the owner of its backups');
  withBackupSpecFlags(create);
  withClusterFlags(withOutput(create, 'print the Schedule as json or yaml instead of creating it')).action(async (name: string, o: CreateFlags) => {
    const format = o.output === undefined ? undefined : outputFormat(o.output);
    if (format === 'table') throw new SkiffError('Config', '-o table is not supported by create: use json or yaml');
    const obj = scheduleFrom(name, namespaceOf(ctx, o), o);
    if (format !== undefined) return void ctx.out.line(formatObject(obj, format));
    await client(ctx, o).create(PLURALS.Schedule, obj);
    ctx.out.line(`Schedule "${name}" created successfully.`);
  });

  const get = schedule.command('get').description('list schedules').argument('[names...]').option('-l, --selector <selector>', 'label selector');
  withClusterFlags(withOutput(get)).action(async (names: string[], o: ClusterFlags & { selector?: string; output?: string }) => {
    const items = await fetchNamed<Schedule>(client(ctx, o), PLURALS.Schedule, names, o.selector);
    printObjects(ctx.out, outputFormat(o.output), items, { header: SCHEDULE_HEADER, row: (s) => scheduleRow(s), single: names.length === 1 });
  });

  const describe = schedule.command('describe').description('show details of schedules').argument('[names...]').option('-l, --selector <selector>', 'label selector');
  withClusterFlags(withOutput(describe)).action(async (names: string[], o: ClusterFlags & { selector?: string; output?: string }) => {
    const format = outputFormat(o.output);
    for (const s of await fetchNamed<Schedule>(client(ctx, o), PLURALS.Schedule, names, o.selector)) {
      ctx.out.line(format === 'table' ? describeSchedule(s) + '\n' : formatObject(s, format));
    }
  });

  registerPause(schedule, ctx, 'pause');
  registerPause(schedule, ctx, 'unpause');

  const del = schedule
    .command('delete')
    .description('delete schedules (their backups stay)')
    .argument('[names...]')
    .option('--confirm', 'do not ask for confirmation')
    .option('--all', 'delete all schedules')
    .option('-l, --selector <selector>', 'delete schedules with these labels');
  withClusterFlags(del).action(async (names: string[], o: SelectFlags & { confirm?: boolean }) => {
    const c = client(ctx, o);
    const list = await targets(c, PLURALS.Schedule, names, o);
    if (list.length > 0) await requireConfirmation(ctx, o.confirm, `Delete schedule(s) ${list.join(', ')}`, '--confirm');
    for (const n of list) {
      await c.delete(PLURALS.Schedule, n);
      ctx.out.line(`Schedule deleted: ${n}`);
    }
  });
}

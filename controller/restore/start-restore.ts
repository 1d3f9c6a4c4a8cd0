// The first step of a New restore: validate the spec, find the backup (named, or the schedule's
// latest Completed one), and either end in FailedValidation or move to InProgress with
// startTimestamp and the `skiff.dev/backup-name` label naming the backup restored from.
import { type Backup, LABELS, PLURALS, type Restore, type RestoreStatus } from '../../crds/index.ts';
import { formatTime, type ReconcileContext } from '../runtime/index.ts';
import { labelValue } from './transform.ts';
import { validateRestoreSpec } from './validate.ts';

const RESTORABLE_PHASES = new Set(['Completed', 'PartiallyFailed']);

function startedAt(b: Backup): number {
  const t = b.status?.startTimestamp ?? b.metadata.creationTimestamp;
  return t == null ? 0 : Date.parse(t);
}

/** The backup a restore reads, or the validation errors that stop it. */
export async function findSourceBackup(restore: Restore, ctx: Pick<ReconcileContext, 'client'>): Promise<{ backup?: Backup; errors: string[] }> {
  const { backupName, scheduleName } = restore.spec;
  if (backupName !== undefined && backupName !== '') {
    const backup = await ctx.client.get<Backup>(PLURALS.Backup, backupName);
    if (backup === undefined) return { errors: [`backup "${backupName}" not found`] };
    const phase = backup.status?.phase ?? 'New';
    if (!RESTORABLE_PHASES.has(phase)) {
      return { errors: [`backup "${backupName}" is in phase ${phase}; only Completed or PartiallyFailed backups can be restored`] };
    }
    return { backup, errors: [] };
  }
  const schedule = scheduleName ?? '';
  const candidates = await ctx.client.list<Backup>(PLURALS.Backup, { labelSelector: `${LABELS.scheduleName}=${labelValue(schedule)}` });
  const latest = candidates.filter((b) => b.status?.phase === 'Completed').sort((a, b) => startedAt(b) - startedAt(a))[0];
  if (latest === undefined) return { errors: [`no completed backups found for schedule "${schedule}"`] };
  return { backup: latest, errors: [] };
}

/** Validates and patches; returns the backup to restore from, or undefined when validation failed. */
export async function startRestore(restore: Restore, ctx: ReconcileContext): Promise<Backup | undefined> {
  const name = restore.metadata.name ?? '';
  let errors = validateRestoreSpec(restore.spec);
  let backup: Backup | undefined;
  if (errors.length === 0) ({ backup, errors } = await findSourceBackup(restore, ctx));
  if (errors.length > 0 || backup === undefined) {
    const status: RestoreStatus = { phase: 'FailedValidation', validationErrors: errors, completionTimestamp: formatTime(ctx.clock.now()) };
    await ctx.client.patchStatus(PLURALS.Restore, name, status);
    ctx.log.warn({ restore: name, validationErrors: errors }, 'restore failed validation');
    return undefined;
  }
  const backupName = backup.metadata.name ?? '';
  await ctx.client.patch(PLURALS.Restore, name, { metadata: { labels: { [LABELS.backupName]: labelValue(backupName) } } });
  const status: RestoreStatus = {
    phase: 'InProgress',
    validationErrors: null,
    startTimestamp: formatTime(ctx.clock.now()),
    progress: { totalItems: 0, itemsRestored: 0 },
  };
  await ctx.client.patchStatus(PLURALS.Restore, name, status);
  ctx.log.info({ restore: name, backup: backupName }, 'restore started');
  return backup;
}

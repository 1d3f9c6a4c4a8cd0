/**
 * The first step of a New backup: pick its storage location (its own, else the one marked
 * `default: true`, else one named `default`), validate, and either end in FailedValidation or
 * move to InProgress with startTimestamp, expiration (start + ttl), format version, the
 * `skiff.dev/storage-location` label and the defaulted `spec.storageLocation` and `spec.ttl`.
 */
import { createHash } from 'node:crypto';
import { type Backup, type BackupStatus, type BackupStorageLocation, LABELS, PLURALS } from '../../crds/index.ts';
import { type ReconcileContext, formatTime, parseGoDuration } from '../runtime/index.ts';
import { FORMAT_VERSION } from './tarball.ts';
import { validateBackup } from './validate.ts';

export const DEFAULT_TTL = '720h0m0s';

/** A label value for any name: names over 63 characters are cut and suffixed with a hash (Velero's GetValidName). */
export function labelValue(name: string): string {
  if (name.length <= 63) return name;
  return name.slice(0, 57) + createHash('sha256').update(name).digest('hex').slice(0, 6);
}

export async function resolveLocation(ctx: Pick<ReconcileContext, 'client'>, requested: string | undefined): Promise<{ name?: string; bsl?: BackupStorageLocation }> {
  if (requested !== undefined && requested !== '') {
    const bsl = await ctx.client.get<BackupStorageLocation>(PLURALS.BackupStorageLocation, requested);
    return bsl === undefined ? { name: requested } : { name: requested, bsl };
  }
  const all = await ctx.client.list<BackupStorageLocation>(PLURALS.BackupStorageLocation);
  const bsl = all.find((b) => b.spec.default === true) ?? all.find((b) => b.metadata.name === 'default');
  return bsl === undefined ? {} : { name: bsl.metadata.name ?? '', bsl };
}

/** Validates and patches; returns the backup as now InProgress, or undefined when it failed validation. */
export async function startBackup(backup: Backup, ctx: ReconcileContext, opts: { defaultTtl: string }): Promise<Backup | undefined> {
  const name = backup.metadata.name ?? '';
  const loc = await resolveLocation(ctx, backup.spec.storageLocation);
  const errors = validateBackup(backup.spec, {
    bslName: loc.name,
    bslExists: loc.bsl !== undefined,
    bslWritable: loc.bsl?.spec.accessMode !== 'ReadOnly',
  });
  if (errors.length > 0 || loc.name === undefined) {
    await ctx.client.patchStatus(PLURALS.Backup, name, { phase: 'FailedValidation', validationErrors: errors });
    ctx.log.warn({ backup: name, validationErrors: errors }, 'backup failed validation');
    return undefined;
  }
  const ttlMs = backup.spec.ttl === undefined || backup.spec.ttl === '' ? 0 : parseGoDuration(backup.spec.ttl);
  const ttl = ttlMs === 0 ? opts.defaultTtl : backup.spec.ttl ?? opts.defaultTtl;
  const now = ctx.clock.now();
  const labels = { ...backup.metadata.labels, [LABELS.storageLocation]: labelValue(loc.name) };
  await ctx.client.patch(PLURALS.Backup, name, { metadata: { labels }, spec: { storageLocation: loc.name, ttl } });
  const status: BackupStatus = {
    phase: 'InProgress',
    version: 1,
    formatVersion: FORMAT_VERSION,
    startTimestamp: formatTime(now),
    expiration: formatTime(new Date(now.getTime() + parseGoDuration(ttl))),
    progress: { totalItems: 0, itemsBackedUp: 0 },
  };
  await ctx.client.patchStatus(PLURALS.Backup, name, status);
  ctx.log.info({ backup: name, storageLocation: loc.name, expiration: status.expiration }, 'backup started');
  return { ...backup, metadata: { ...backup.metadata, labels }, spec: { ...backup.spec, storageLocation: loc.name, ttl }, status };
}


import { PLURALS, type BackupStorageLocation, type BackupStorageLocationStatus } from '../../crds/index.ts';
import { SkiffError } from '../../repository/errors/errors.ts';
import { errText } from '../runtime/informer.ts';
import { formatTime, parseGoDuration } from '../runtime/time.ts';
import type { ReconcileContext, ReconcileResult, Reconciler } from '../runtime/types.ts';

export interface BslReconcilerOptions {
  /** used when the BSL has no `validationFrequency`; default 1 min (Velero's `--store-validation-frequency`) */
  defaultValidationFrequencyMs?: number;
}

/**
 * BackupStorageLocation reconciler: validates the location (bucket reachable with the credentials,
 * prefix holding only Skiff's layout) and writes `status.phase` Available or Unavailable, `message`
 * (the reason, removed when Available) and `lastValidationTime`. Validates at most every
 * `validationFrequency` (Go duration; default 1 min), and at once when the spec changed since this
 * replica last validated it. `validationFrequency: 0` turns periodic validation off (a spec change
 * is still validated once). Never throws for an unreachable store; status writes may throw (retried).
 */
export function bslReconciler(opts: BslReconcilerOptions = {}): Reconciler<BackupStorageLocation> {
  /** uid → generation this replica validated last */
  const validated = new Map<string, number | undefined>();
  const plural = PLURALS.BackupStorageLocation;
  return {
    plural,
    async reconcile(bsl: BackupStorageLocation, ctx: ReconcileContext): Promise<ReconcileResult | void> {
      const name = bsl.metadata.name ?? '';
      const uid = bsl.metadata.uid ?? name;
      const now = ctx.clock.now();
      let freq: number;
      try {
        const text = bsl.spec.validationFrequency;
        freq = text === undefined || text === null || text === '' ? (opts.defaultValidationFrequencyMs ?? 60_000) : parseGoDuration(text);
      } catch (err) {
        await write(ctx, bsl, { phase: 'Unavailable', message: `spec.validationFrequency: ${errText(err)}`, lastValidationTime: formatTime(now) });
        return;
      }
      const specChanged = !validated.has(uid) || validated.get(uid) !== bsl.metadata.generation;
      const last = Date.parse(bsl.status?.lastValidationTime ?? '');
      const age = now.getTime() - last;
      if (!specChanged && bsl.status?.phase !== undefined) {
        if (freq <= 0) return;
        if (!Number.isNaN(last) && age < freq) return { requeueAfterMs: freq - age };
      }
      const status = await validate(bsl, ctx);
      await write(ctx, bsl, { ...status, lastValidationTime: formatTime(now) });
      validated.set(uid, bsl.metadata.generation);
      return freq > 0 ? { requeueAfterMs: freq } : undefined;
    },
  };
}

async function validate(bsl: BackupStorageLocation, ctx: ReconcileContext): Promise<BackupStorageLocationStatus> {
  try {
    const store = await ctx.objectStore(bsl.metadata.name ?? '');
    await store.validate();
    return { phase: 'Available' };
  } catch (err) {
    const message = err instanceof SkiffError ? err.message : `validation failed: ${errText(err)}`;
    return { phase: 'Unavailable', message };
  }
}

async function write(ctx: ReconcileContext, bsl: BackupStorageLocation, status: BackupStorageLocationStatus): Promise<void> {
  const before = bsl.status?.phase;
  const patch = { ...status, message: status.message ?? null };
  await ctx.client.patchStatus(PLURALS.BackupStorageLocation, bsl.metadata.name ?? '', patch);
  if (before !== status.phase || (status.message ?? '') !== (bsl.status?.message ?? '')) {
    const fields = { phase: status.phase, ...(status.message === undefined ? {} : { reason: status.message }) };
    if (status.phase === 'Available') ctx.log.info(fields, 'backup storage location is available');
    else ctx.log.warn(fields, 'backup storage location is unavailable');
  }
}

/**
 * The phases of one PodVolumeBackup or PodVolumeRestore, as the agent drives them:
 * New → InProgress (startTimestamp; status.node for restores) → Completed | Failed (message) |
 * Canceled (spec.cancel). The object is read fresh before starting, so a stale queue entry or an
 * object another run already took is left alone. Final writes are retried: a status that never
 * leaves InProgress would make the controller wait for its whole timeout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { PodVolumeBackup, PodVolumeRestore } from '../crds/index.ts';
import { errText, formatTime, type Clock, type Logger, type SkiffClient } from '../controller/runtime/index.ts';
import { ProgressReporter } from './progress.ts';
import { abortReason, type JobContext } from './work-pool.ts';

export type WorkPlural = 'podvolumebackups' | 'podvolumerestores';

export interface LifecycleContext {
  readonly node: string;
  readonly client: SkiffClient;
  readonly log: Logger;
  readonly clock: Clock;
  readonly progressIntervalMs?: number;
  /** pause before retrying a failed final status write; default 1000 ms (doubling) */
  readonly retryBaseMs?: number;
}

export interface WorkStep {
  readonly signal: AbortSignal;
  /** waits for one of the agent's slots before moving data (see work-pool.ts) */
  slot(): Promise<void>;
  readonly progress: ProgressReporter;
  /** a status write while running (e.g. `path`); errors are logged, never thrown */
  note(status: object): Promise<void>;
  readonly log: Logger;
}

/** The status fields a finished job adds to `phase: Completed` (snapshotID, progress, message). */
export type Outcome = Record<string, unknown>;

type Work = PodVolumeBackup | PodVolumeRestore;

/**
 * Runs one object's work. With `slotFirst` (backups) the job waits for a slot while still New, so
 * InProgress means data is moving; without (restores) it goes InProgress at once and the body
 * takes a slot after waiting for the pod. Aborted while waiting for its slot: Canceled on
 * spec.cancel, left New on shutdown (the next run takes it).
 */
export async function runLifecycle<T extends Work>(
  ctx: LifecycleContext,
  plural: WorkPlural,
  name: string,
  job: JobContext,
  body: (obj: T, step: WorkStep) => Promise<Outcome>,
  opts: { slotFirst: boolean },
): Promise<void> {
  const signal = job.signal;
  const what = plural === 'podvolumebackups' ? 'backup' : 'restore';
  const log = ctx.log.child({ [what === 'backup' ? 'podVolumeBackup' : 'podVolumeRestore']: name });
  const now = (): string => formatTime(ctx.clock.now());
  const final = (status: object): Promise<void> => writeFinal(ctx, plural, name, status, log);
  const canceledEarly = { phase: 'Canceled', message: `canceled before the ${what} started` };
  let obj = await startable<T>(ctx.client, plural, name);
  if (obj === undefined) return;
  if (obj.spec.cancel === true) return final({ ...canceledEarly, completionTimestamp: now() });
  if (opts.slotFirst) {
    try {
      await job.slot();
    } catch (err) {
      if (abortReason(signal) === 'cancel') return final({ ...canceledEarly, completionTimestamp: now() });
      if (abortReason(signal) === 'shutdown') return;
      throw err;
    }
    // the wait may have been long: the object may be gone, canceled or finished by someone else
    obj = await startable<T>(ctx.client, plural, name);
    if (obj === undefined) return;
    if (obj.spec.cancel === true) return final({ ...canceledEarly, completionTimestamp: now() });
  }

  await ctx.client.patchStatus(plural, name, { phase: 'InProgress', startTimestamp: now(), ...(what === 'restore' ? { node: ctx.node } : {}) });
  log.info({ pod: `${obj.spec.pod.namespace}/${obj.spec.pod.name}`, volume: obj.spec.volume }, `${what} started`);
  const progress = new ProgressReporter({
    write: (p) => ctx.client.patchStatus(plural, name, { progress: p }),
    log,
    ...(ctx.progressIntervalMs === undefined ? {} : { intervalMs: ctx.progressIntervalMs }),
  });
  const note = async (status: object): Promise<void> => {
    await ctx.client.patchStatus(plural, name, status).then(
      () => undefined,
      (err: unknown) => log.warn({ err: errText(err) }, 'cannot write status'),
    );
  };
  let outcome: Outcome | undefined;
  let failure: unknown;
  try {
    outcome = await body(obj, { signal, slot: () => job.slot(), progress, note, log });
  } catch (err) {
    failure = err;
  }
  await progress.stop();
  const reason = abortReason(signal);
  if (reason === 'cancel') {
    log.info(`${what} canceled`);
    return final({ phase: 'Canceled', message: `canceled (spec.cancel) during the ${what}`, completionTimestamp: now() });
  }
  if (reason === 'shutdown') return final({ phase: 'Failed', message: `node agent stopped during the ${what}`, completionTimestamp: now() });
  if (outcome === undefined) {
    const message = oneLine(failure);
    log.warn({ err: message }, `${what} failed`);
    return final({ phase: 'Failed', message, completionTimestamp: now() });
  }
  log.info({ ...outcome }, `${what} completed`);
  return final({ ...outcome, phase: 'Completed', completionTimestamp: now() });
}

/** The object, when it exists, is not being deleted and is still New. */
async function startable<T extends Work>(client: SkiffClient, plural: WorkPlural, name: string): Promise<T | undefined> {
  const o = await client.get<T>(plural, name);
  if (o === undefined || o.metadata.deletionTimestamp !== undefined) return undefined;
  return (o.status?.phase ?? 'New') === 'New' ? o : undefined;
}

/** An error as one line for `status.message`. */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.split('\n').map((l) => l.trim()).filter((l) => l !== '').join('; ');
  return line === '' ? 'unknown error' : line;
}

async function writeFinal(ctx: LifecycleContext, plural: WorkPlural, name: string, status: object, log: Logger): Promise<void> {
  const base = ctx.retryBaseMs ?? 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      await ctx.client.patchStatus(plural, name, status);
      return;
    } catch (err) {
      if ((err as { status?: unknown }).status === 404 || attempt >= 6) {
        log.error({ err: errText(err), status }, 'cannot write the final status');
        return;
      }
      await sleep(base * 2 ** (attempt - 1));
    }
  }
}

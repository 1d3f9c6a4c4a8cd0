/**
 * Waiting for PodVolumeBackups or PodVolumeRestores to reach a final phase (Completed, Failed,
 * Canceled), listing them by label every `pollMs`. At the deadline, or when `signal` aborts,
 * the ones still running get `spec.cancel: true` (best effort: the agent stops and marks them
 * Canceled) and are returned as unfinished. An object that disappeared is reported as missing.
 * Never throws for the objects' outcomes; a failing list is retried until the deadline.
 */
import type { PodVolumeBackup, PodVolumeRestore } from '../../crds/index.ts';
import { type ClockWithTimers, type Logger, type SkiffClient, sleepOn } from '../runtime/index.ts';

export const FINAL_PHASES: ReadonlySet<string> = new Set(['Completed', 'Failed', 'Canceled']);

export function isFinal(o: PodVolumeBackup | PodVolumeRestore): boolean {
  return FINAL_PHASES.has(o.status?.phase ?? 'New');
}

export interface WaitInput {
  readonly client: SkiffClient;
  readonly plural: string;
  readonly labelSelector: string;
  readonly names: readonly string[];
  readonly timeoutMs: number;
  readonly clock: ClockWithTimers;
  readonly pollMs: number;
  readonly log: Logger;
  readonly signal?: AbortSignal;
}

export interface WaitOutcome<T> {
  /** by name: every object seen, in its last state */
  readonly last: Map<string, T>;
  /** not final at the deadline or on abort (cancel was asked) */
  readonly unfinished: string[];
  /** no longer listed */
  readonly missing: string[];
  readonly aborted: boolean;
}

export async function waitForFinal<T extends PodVolumeBackup | PodVolumeRestore>(i: WaitInput): Promise<WaitOutcome<T>> {
  const deadline = i.clock.now().getTime() + i.timeoutMs;
  const last = new Map<string, T>();
  let listedOnce = false;
  for (;;) {
    try {
      const items = await i.client.list<T>(i.plural, { labelSelector: i.labelSelector });
      last.clear();
      for (const o of items) last.set(o.metadata.name ?? '', o);
      listedOnce = true;
    } catch (err) {
      i.log.warn({ err: err instanceof Error ? err.message : String(err), plural: i.plural }, 'listing pod volume work failed; trying again');
    }
    const open = i.names.filter((n) => last.has(n) && !isFinal(last.get(n) as T));
    const missing = listedOnce ? i.names.filter((n) => !last.has(n)) : [];
    if (listedOnce && open.length === 0) return { last, unfinished: [], missing, aborted: false };
    const aborted = i.signal?.aborted === true;
    if (aborted || i.clock.now().getTime() >= deadline) {
      const unfinished = listedOnce ? open : i.names.filter((n) => !last.has(n) || !isFinal(last.get(n) as T));
      for (const n of unfinished) {
        await i.client.patch(i.plural, n, { spec: { cancel: true } }).catch((err: unknown) => {
          i.log.warn({ err: err instanceof Error ? err.message : String(err), name: n }, 'could not cancel');
        });
      }
      return { last, unfinished, missing: listedOnce ? missing : [], aborted };
    }
    await sleepOn(i.clock, Math.min(i.pollMs, Math.max(1, deadline - i.clock.now().getTime())), i.signal);
  }
}

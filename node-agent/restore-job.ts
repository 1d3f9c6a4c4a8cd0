/**
 * One PodVolumeRestore: wait (up to the restore wait timeout) until the restored pod is on this
 * node and the kubelet has made its volume's directory (the pod's PVC may still be binding), then
 * write the snapshot into it from the SOURCE namespace's repository, and last the done file
 * `.skiff/<restore UID>` that the pod's `restore-wait` init container waits for.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { LABELS, type PodVolumeRestore } from '../crds/index.ts';
import { formatGoDuration } from '../controller/runtime/index.ts';
import { isCode, SkiffError } from '../repository/index.ts';
import { findPod, volumeSourceOf } from './volume-source.ts';
import { resolveVolumePath } from './volume-path.ts';
import { restoreVolume } from './volume-backup.ts';
import type { JobContext } from './backup-job.ts';
import type { Outcome, WorkStep } from './work-lifecycle.ts';

export interface RestoreJobContext extends JobContext {
  /** how long the pod's volume directory may take to appear; default 10 min */
  readonly restoreWaitTimeoutMs?: number;
  /** default 1000 ms */
  readonly restoreWaitIntervalMs?: number;
}

/** The Restore's UID, which names the done file: the owner Restore's, else the restore-uid label. */
export function restoreUidOf(pvr: PodVolumeRestore): string {
  const owners = pvr.metadata.ownerReferences ?? [];
  const uid = (owners.find((o) => o.kind === 'Restore') ?? owners[0])?.uid ?? pvr.metadata.labels?.[LABELS.restoreUid] ?? '';
  if (uid === '') throw new SkiffError('Config', 'the PodVolumeRestore has no owner reference to its Restore (its UID names the done file)');
  return uid;
}

/** Polls until the volume directory exists; what may still appear is waited for, anything else fails at once. */
export async function waitForVolumeDir(ctx: RestoreJobContext, pvr: PodVolumeRestore, signal: AbortSignal): Promise<string> {
  const timeoutMs = ctx.restoreWaitTimeoutMs ?? 10 * 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const pod = await findPod(ctx.reads, pvr.spec.pod, ctx.node);
      const located = await volumeSourceOf(ctx.reads, pod, pvr.spec.volume);
      return await resolveVolumePath(ctx.hostPods, located.podUid, located.source);
    } catch (err) {
      // what may still appear (the pod's node, a PVC binding, the directory), or an API hiccup
      if (!isCode(err, 'NotFound') && !isCode(err, 'Transient')) throw err;
      if (Date.now() >= deadline) {
        const { namespace, name } = pvr.spec.pod;
        throw new SkiffError(
          'Cancelled',
          `volume ${pvr.spec.volume} of pod ${namespace}/${name} did not appear on node ${ctx.node} within ${formatGoDuration(timeoutMs)}: ${(err as Error).message}`,
          { cause: err },
        );
      }
    }
    await sleep(ctx.restoreWaitIntervalMs ?? 1000, undefined, { signal });
  }
}

export async function runRestoreJob(ctx: RestoreJobContext, pvr: PodVolumeRestore, step: WorkStep): Promise<Outcome> {
  const { spec } = pvr;
  const restoreUid = restoreUidOf(pvr);
  const volumePath = await waitForVolumeDir(ctx, pvr, step.signal);
  await step.slot();
  const sourceNs = spec.sourceNamespace !== undefined && spec.sourceNamespace !== '' ? spec.sourceNamespace : spec.pod.namespace;
  const res = await ctx.repos.withRepository(spec.backupStorageLocation, sourceNs, (repo) =>
    restoreVolume({
      repo,
      snapshotId: spec.snapshotID,
      volumePath,
      restoreUid,
      signal: step.signal,
      onProgress: (bytesDone, totalBytes) => step.progress.update(bytesDone, totalBytes),
    }),
  );
  if (res.warnings.length > 0) {
    const w = res.warnings[0]!;
    throw new SkiffError('Permanent', `restored with ${res.warnings.length} problem(s), so no done file was written; first: ${w.path}: ${w.message}`);
  }
  return { progress: { totalBytes: res.bytes, bytesDone: res.bytes } };
}

/**
 * One PodVolumeBackup: find the pod (same UID, this node) and its volume's directory under the
 * host's pods directory, then back it up into `fsb/<pod namespace>` of the backup location,
 * keyed by `spec.tags.identity` for the parent snapshot. The snapshot carries the spec's tags as
 * `key=value` (`identity=...`, `backup=...`, `ns=...`, ...).
 */
import type { PodVolumeBackup } from '../crds/index.ts';
import type { ClusterReads } from './volume-source.ts';
import { findPod, volumeSourceOf } from './volume-source.ts';
import { resolveVolumePath } from './volume-path.ts';
import { backupVolume } from './volume-backup.ts';
import { volumeSize } from './volume-size.ts';
import type { Outcome, WorkStep } from './work-lifecycle.ts';
import type { RepositoryProvider } from './repo-provider.ts';

export interface JobContext {
  readonly node: string;
  readonly hostPods: string;
  readonly reads: ClusterReads;
  readonly repos: Pick<RepositoryProvider, 'withRepository'>;
}

/** `key=value` tags for the snapshot (commas are not allowed in restic tags), identity excluded. */
export function snapshotTags(tags: Readonly<Record<string, string>> | undefined): string[] {
  return Object.entries(tags ?? {})
    .filter(([k]) => k !== 'identity')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`.replace(/,/g, '_'));
}

/** The chain key: `spec.tags.identity`, or `<ns>/Pod/<pod>/<volume>` when the controller left it out. */
export function volumeIdentity(pvb: PodVolumeBackup): string {
  const id = pvb.spec.tags?.['identity'];
  return id !== undefined && id !== '' ? id : `${pvb.spec.pod.namespace}/Pod/${pvb.spec.pod.name}/${pvb.spec.volume}`;
}

export async function runBackupJob(ctx: JobContext, pvb: PodVolumeBackup, step: WorkStep): Promise<Outcome> {
  const { spec } = pvb;
  const pod = await findPod(ctx.reads, spec.pod, ctx.node);
  const located = await volumeSourceOf(ctx.reads, pod, spec.volume);
  const volumePath = await resolveVolumePath(ctx.hostPods, located.podUid, located.source);
  await step.note({ path: volumePath });
  const result = await ctx.repos.withRepository(spec.backupStorageLocation, spec.pod.namespace, async (repo) => {
    // the scan only feeds totalBytes: it stops when the backup ends, whichever finishes first
    const scanning = new AbortController();
    void volumeSize(volumePath, AbortSignal.any([step.signal, scanning.signal])).then(
      (total) => step.progress.setTotal(total),
      () => undefined,
    );
    try {
      return await backupVolume({
        repo,
        volumePath,
        identity: volumeIdentity(pvb),
        tags: snapshotTags(spec.tags),
        signal: step.signal,
        onProgress: (bytesDone) => step.progress.update(bytesDone),
      });
    } finally {
      scanning.abort();
    }
  });
  const bytes = result.stats.totalBytesProcessed;
  const warnings = result.warnings;
  return {
    snapshotID: result.snapshotId,
    progress: { totalBytes: bytes, bytesDone: bytes },
    ...(warnings.length === 0
      ? {}
      : { message: `completed with ${warnings.length} unreadable file(s), first: ${warnings[0]!.path}: ${warnings[0]!.message}` }),
  };
}

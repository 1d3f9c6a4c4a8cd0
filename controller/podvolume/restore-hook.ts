/**
 * File-system restore for the Restore reconciler, in two steps sharing state per restore:
 * - `prepareItems` (before any item is restored): reads the backup's PodVolumeBackups that
 *   completed with a snapshot, and returns the item hook that gives restored pods their
 *   `restore-wait` init container, unbinds their claims (fresh volumes are provisioned) and skips
 *   the PersistentVolumes those claims were bound to (restore-wait.ts).
 * - `podVolumeRestores` (after the pods are created): waits for each such pod to be scheduled
 *   (`--restore-pod-schedule-timeout`, default 10m), creates one PodVolumeRestore per volume for
 *   the agent on its node (failed at once when the node has no live agent), and waits for all of
 *   them (restore's `skiff.dev/pod-volume-timeout`, else `--fs-backup-timeout`). Every volume
 *   not restored is a restore error with its reason: the Restore ends PartiallyFailed, never hangs.
 */
import { ANNOTATIONS, type Backup, LABELS, PLURALS, type PodVolumeBackup, type PodVolumeRestore, type Restore } from '../../crds/index.ts';
import { isCode } from '../../repository/index.ts';
import type { PodVolumeRestoreHook, PrepareItemsHook, RestoredPod, RestoreItemHook } from '../restore/index.ts';
import { type ObjectStore, formatGoDuration, formatTime, type Logger, sleepOn } from '../runtime/index.ts';
import { agentChecker, noAgentMessage } from './agent-liveness.ts';
import { labelValue, podVolumeRestoreObject, randomSuffix } from './objects.ts';
import { DEFAULT_FS_BACKUP_TIMEOUT_MS, DEFAULT_RESTORE_POD_SCHEDULE_TIMEOUT_MS, defaultImage, type PodVolumeDeps, podVolumeTimeout } from './options.ts';
import { loadBackupPodVolumes, withSnapshot } from './pvb-list.ts';
import { injectRestoreWait, resetClaimBinding, restorableVolumes } from './restore-wait.ts';
import { waitForFinal } from './wait-final.ts';

export interface PodVolumeRestorer {
  readonly prepareItems: PrepareItemsHook;
  readonly podVolumeRestores: PodVolumeRestoreHook;
}

/** source `ns/pod` → the backups whose volumes that pod waits for */
type Injected = Map<string, PodVolumeBackup[]>;

const MAX_PREPARED = 16;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function itemHook(pvbs: readonly PodVolumeBackup[], restoreUid: string, image: string, injected: Injected): RestoreItemHook {
  const byPod = new Map<string, PodVolumeBackup[]>();
  const claims = new Set<string>();
  for (const p of pvbs) {
    const key = `${p.spec.pod.namespace}/${p.spec.pod.name}`;
    byPod.set(key, [...(byPod.get(key) ?? []), p]);
    const claim = p.metadata.annotations?.[ANNOTATIONS.pvcName];
    if (claim !== undefined) claims.add(`${p.spec.pod.namespace}/${claim}`);
  }
  return (item, obj) => {
    const key = `${item.namespace ?? ''}/${item.name}`;
    if (item.groupResource === 'pods') {
      const candidates = byPod.get(key) ?? [];
      const volumes = restorableVolumes(obj, candidates.map((p) => p.spec.volume));
      injectRestoreWait(obj, volumes.length > 0 ? { image, restoreUid, volumes } : undefined);
      if (volumes.length > 0) injected.set(key, candidates.filter((p) => volumes.includes(p.spec.volume)));
    } else if (item.groupResource === 'persistentvolumeclaims' && claims.has(key)) {
      resetClaimBinding(obj);
    } else if (item.groupResource === 'persistentvolumes') {
      const ref = (item.object['spec'] as { claimRef?: { namespace?: string; name?: string } } | undefined)?.claimRef;
      if (ref?.name !== undefined && claims.has(`${ref.namespace ?? ''}/${ref.name}`)) {
        return `the data of its claim ${ref.namespace ?? ''}/${ref.name} is restored by file-system restore into a newly provisioned volume`;
      }
    }
    return undefined;
  };
}

export function podVolumeRestorer(deps: PodVolumeDeps): PodVolumeRestorer {
  const prepared = new Map<string, Injected>();
  return {
    async prepareItems(restore: Restore, backup: Backup, store: ObjectStore) {
      const uid = restore.metadata.uid ?? '';
      const pvbs = withSnapshot(await loadBackupPodVolumes(deps.client, store, backup));
      const injected: Injected = new Map();
      prepared.set(uid, injected);
      for (const k of prepared.keys()) if (prepared.size > MAX_PREPARED) prepared.delete(k);
      return itemHook(pvbs, uid, deps.image ?? defaultImage(), injected);
    },
    async podVolumeRestores(restore, restoredPods) {
      const uid = restore.metadata.uid ?? '';
      const injected = prepared.get(uid);
      prepared.delete(uid);
      if (injected === undefined) return {};
      const targets = restoredPods
        .map((pod) => ({ pod, pvbs: injected.get(`${pod.sourceNamespace}/${pod.name}`) ?? [] }))
        .filter((t) => t.pvbs.length > 0);
      if (targets.length === 0) return {};
      return restoreVolumes(deps, restore, targets);
    },
  };
}

interface Target {
  readonly pod: RestoredPod;
  readonly pvbs: readonly PodVolumeBackup[];
}

function what(pod: { namespace: string; name: string }, volume: string, pvr?: string): string {
  return `volume ${volume} of pod ${pod.namespace}/${pod.name}${pvr === undefined ? '' : ` (PodVolumeRestore ${pvr})`}`;
}

async function restoreVolumes(deps: PodVolumeDeps, restore: Restore, targets: readonly Target[]): Promise<{ errors: string[]; warnings: string[] }> {
  const restoreName = restore.metadata.name ?? '';
  const log = deps.log.child({ component: 'pod-volume-restore', restore: restoreName });
  const errors: string[] = [];
  const warnings: string[] = [];
  const created: { name: string; pod: RestoredPod; volume: string }[] = [];
  const live = agentChecker((n) => deps.cluster.getLease(n), deps.clock);

  const startRestores = async (t: Target, node: string, podUid: string): Promise<void> => {
    const agent = await live(node).catch(() => false);
    for (const from of t.pvbs) {
      let pvr: PodVolumeRestore | undefined;
      for (let attempt = 1; pvr === undefined; attempt++) {
        const obj = podVolumeRestoreObject({ restore, pod: { ...t.pod, uid: podUid }, node, from, suffix: (deps.suffix ?? randomSuffix)() });
        try {
          pvr = await deps.client.create<PodVolumeRestore>(PLURALS.PodVolumeRestore, obj);
        } catch (err) {
          if (isCode(err, 'Conflict') && attempt < 3) continue;
          errors.push(`${what(t.pod, from.spec.volume)} was not restored: cannot create its PodVolumeRestore: ${message(err)}`);
          break;
        }
      }
      if (pvr === undefined) continue;
      const name = pvr.metadata.name ?? '';
      created.push({ name, pod: t.pod, volume: from.spec.volume });
      if (!agent) {
        const failure = { phase: 'Failed', node, message: noAgentMessage(node), completionTimestamp: formatTime(deps.clock.now()) };
        await deps.client.patchStatus(PLURALS.PodVolumeRestore, name, failure).catch((err: unknown) => log.warn({ pvr: name, err: message(err) }, 'cannot mark the PodVolumeRestore failed'));
      }
    }
  };

  await waitForScheduling(deps, restoreName, targets, log, startRestores, (t, timeoutMs) => {
    for (const p of t.pvbs) errors.push(`${what(t.pod, p.spec.volume)} was not restored: pod ${t.pod.namespace}/${t.pod.name} was not scheduled within ${formatGoDuration(timeoutMs)}`);
  });

  const timeout = podVolumeTimeout(restore, deps.fsBackupTimeoutMs ?? DEFAULT_FS_BACKUP_TIMEOUT_MS);
  if (timeout.problem !== undefined) warnings.push(timeout.problem);
  const outcome = await waitForFinal<PodVolumeRestore>({
    client: deps.client,
    plural: PLURALS.PodVolumeRestore,
    labelSelector: `${LABELS.restoreUid}=${restore.metadata.uid ?? ''}`,
    names: created.map((c) => c.name),
    timeoutMs: timeout.ms,
    clock: deps.clock,
    pollMs: deps.pollMs ?? 1000,
    log,
  });
  const unfinished = new Set(outcome.unfinished);
  for (const c of created) {
    const o = outcome.last.get(c.name);
    const label = what(c.pod, c.volume, c.name);
    if (o === undefined) errors.push(`${label} failed: the PodVolumeRestore was deleted before it finished`);
    else if (unfinished.has(c.name)) errors.push(`${label} did not finish within ${formatGoDuration(timeout.ms)} and was canceled`);
    else if (o.status?.phase === 'Completed') log.info({ pvr: c.name, namespace: c.pod.namespace, pod: c.pod.name, volume: c.volume }, 'pod volume restored');
    else if (o.status?.phase === 'Canceled') errors.push(`${label} was canceled${o.status.message ? `: ${o.status.message}` : ''}`);
    else errors.push(`${label} failed: ${o.status?.message || 'no reason given'}`);
  }
  return { errors, warnings };
}

/**
 * Polls the restored pods (by the restore's label, per namespace) until each has a node, calling
 * `scheduled` for each as soon as it does, or `notScheduled` for those without one at the deadline.
 */
async function waitForScheduling(
  deps: PodVolumeDeps,
  restoreName: string,
  targets: readonly Target[],
  log: Logger,
  scheduled: (t: Target, node: string, podUid: string) => Promise<void>,
  notScheduled: (t: Target, timeoutMs: number) => void,
): Promise<void> {
  const timeoutMs = deps.restorePodScheduleTimeoutMs ?? DEFAULT_RESTORE_POD_SCHEDULE_TIMEOUT_MS;
  const deadline = deps.clock.now().getTime() + timeoutMs;
  const pending = new Map(targets.map((t) => [`${t.pod.namespace}/${t.pod.name}`, t]));
  const selector = `${LABELS.restoreName}=${labelValue(restoreName)}`;
  for (;;) {
    for (const ns of new Set([...pending.values()].map((t) => t.pod.namespace))) {
      const pods = await deps.cluster.listPods(ns, selector).catch((err: unknown) => {
        log.warn({ namespace: ns, err: message(err) }, 'cannot list restored pods; trying again');
        return [];
      });
      for (const pod of pods) {
        const key = `${ns}/${pod.metadata.name ?? ''}`;
        const t = pending.get(key);
        const node = pod.spec?.nodeName;
        if (t === undefined || node === undefined || node === '') continue;
        pending.delete(key);
        await scheduled(t, node, pod.metadata.uid ?? t.pod.uid);
      }
    }
    if (pending.size === 0) return;
    if (deps.clock.now().getTime() >= deadline) {
      for (const t of pending.values()) notScheduled(t, timeoutMs);
      return;
    }
    await sleepOn(deps.clock, Math.min(deps.pollMs ?? 1000, Math.max(1, deadline - deps.clock.now().getTime())));
  }
}

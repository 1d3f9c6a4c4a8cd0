/**
 * The Backup reconciler's `podVolumeBackups` hook: selects the collected pods' volumes, makes
 * sure each namespace's BackupRepository CR exists, creates one PodVolumeBackup per volume for
 * the agent on the pod's node (failed at once when that node has no live agent), waits for all
 * of them to be final (the Backup's `skiff.dev/pod-volume-timeout`, else `--fs-backup-timeout`,
 * default 4h; then the rest are canceled), and writes `<backup>-podvolumebackups.json.gz`.
 * Failures become backup errors (PartiallyFailed) with the agent's message; skipped volumes
 * become warnings or log lines (select.ts). Never throws for a volume's outcome.
 */
import { type Backup, LABELS, PLURALS, type PodVolumeBackup } from '../../crds/index.ts';
import { isCode } from '../../repository/index.ts';
import { type PodVolumeBackupHook, backupKeys, gzipJson } from '../backup/index.ts';
import { ensureBackupRepository, repositoryUrl } from '../repository/index.ts';
import { formatGoDuration, formatTime, type Logger } from '../runtime/index.ts';
import { agentChecker, noAgentMessage } from './agent-liveness.ts';
import { podVolumeBackupObject, randomSuffix } from './objects.ts';
import { DEFAULT_FS_BACKUP_TIMEOUT_MS, type PodVolumeDeps, podVolumeTimeout } from './options.ts';
import { type PlannedVolume, planPodVolumes } from './plan-backups.ts';
import { describeSkip } from './select.ts';
import { waitForFinal } from './wait-final.ts';

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function what(v: PlannedVolume, pvb?: string): string {
  return `volume ${v.volume} of pod ${v.pod.namespace}/${v.pod.name}${pvb === undefined ? '' : ` (PodVolumeBackup ${pvb})`}`;
}

/** Creates the PVB, trying another name if the random one is taken. */
async function createPvb(deps: PodVolumeDeps, make: (suffix: string) => PodVolumeBackup): Promise<PodVolumeBackup> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.client.create<PodVolumeBackup>(PLURALS.PodVolumeBackup, make((deps.suffix ?? randomSuffix)()));
    } catch (err) {
      if (!isCode(err, 'Conflict') || attempt >= 3) throw err;
    }
  }
}

/**
 * Opens (creating when absent) each namespace's repository before any PodVolumeBackup exists,
 * then ensures its BackupRepository: the repository is created by this one party, so agents on
 * several nodes and the BackupRepository reconciler never race to create it (concurrent creators
 * would leave key files of a losing master key that restic refuses). Returns the URL per
 * namespace, or why its repository cannot be used (wrong password, unreachable storage).
 */
async function ensureRepositories(
  deps: PodVolumeDeps,
  bsl: string,
  namespaces: Set<string>,
  log: Logger,
): Promise<{ urls: Map<string, string>; notReady: Map<string, string> }> {
  const { where } = await deps.access.location(bsl);
  const urls = new Map<string, string>();
  const notReady = new Map<string, string>();
  for (const ns of namespaces) {
    const url = repositoryUrl(where, ns);
    urls.set(ns, url);
    try {
      await deps.access.withRepository(bsl, ns, { create: true }, async () => undefined);
    } catch (err) {
      notReady.set(ns, `the repository for namespace ${ns} cannot be opened: ${message(err)}`);
      continue;
    }
    await ensureBackupRepository(deps.client, { volumeNamespace: ns, backupStorageLocation: bsl, resticIdentifier: url }).catch((err: unknown) =>
      log.warn({ namespace: ns, err: message(err) }, 'cannot create the BackupRepository'),
    );
  }
  return { urls, notReady };
}

export function podVolumeBackupHook(deps: PodVolumeDeps): PodVolumeBackupHook {
  return async (backup: Backup, pods, signal) => {
    const name = backup.metadata.name ?? '';
    const bsl = backup.spec.storageLocation ?? '';
    const log = deps.log.child({ component: 'pod-volume-backup', backup: name });
    const errors: string[] = [];
    const warnings: string[] = [];
    const optOut = backup.spec.defaultVolumesToFsBackup ?? deps.defaultVolumesToFsBackup ?? false;
    const plan = await planPodVolumes(deps.cluster, pods, { defaultVolumesToFsBackup: optOut, allowHostPath: deps.allowHostPath === true });
    for (const s of plan.skipped) {
      if (s.level === 'warning') warnings.push(describeSkip(s));
      else log.info({ namespace: s.namespace, pod: s.pod, volume: s.volume }, describeSkip(s));
    }
    for (const p of plan.gone) log.info({ pod: p }, 'pod no longer exists; its volumes are not backed up');

    const created: { name: string; volume: PlannedVolume }[] = [];
    if (plan.volumes.length > 0) {
      let urls: Map<string, string>;
      let notReady: Map<string, string>;
      try {
        ({ urls, notReady } = await ensureRepositories(deps, bsl, new Set(plan.volumes.map((v) => v.pod.namespace)), log));
      } catch (err) {
        for (const v of plan.volumes) errors.push(`${what(v)} not backed up: ${message(err)}`);
        return { errors, warnings };
      }
      const live = agentChecker((n) => deps.cluster.getLease(n), deps.clock);
      for (const v of plan.volumes) {
        const why = notReady.get(v.pod.namespace);
        if (why !== undefined) {
          errors.push(`${what(v)} not backed up: ${why}`);
          continue;
        }
        let pvb: PodVolumeBackup;
        try {
          pvb = await createPvb(deps, (suffix) =>
            podVolumeBackupObject({ backup, ...v, backupStorageLocation: bsl, repoIdentifier: urls.get(v.pod.namespace) ?? '', suffix }),
          );
        } catch (err) {
          errors.push(`${what(v)}: cannot create its PodVolumeBackup: ${message(err)}`);
          continue;
        }
        const pvbName = pvb.metadata.name ?? '';
        created.push({ name: pvbName, volume: v });
        if (!(await live(v.node).catch(() => false))) {
          const failure = { phase: 'Failed', message: noAgentMessage(v.node), completionTimestamp: formatTime(deps.clock.now()) };
          await deps.client.patchStatus(PLURALS.PodVolumeBackup, pvbName, failure).catch((err: unknown) => log.warn({ pvb: pvbName, err: message(err) }, 'cannot mark the PodVolumeBackup failed'));
        }
      }
    }

    const timeout = podVolumeTimeout(backup, deps.fsBackupTimeoutMs ?? DEFAULT_FS_BACKUP_TIMEOUT_MS);
    if (timeout.problem !== undefined) warnings.push(timeout.problem);
    const outcome = await waitForFinal<PodVolumeBackup>({
      client: deps.client,
      plural: PLURALS.PodVolumeBackup,
      labelSelector: `${LABELS.backupUid}=${backup.metadata.uid ?? ''}`,
      names: created.map((c) => c.name),
      timeoutMs: timeout.ms,
      clock: deps.clock,
      pollMs: deps.pollMs ?? 1000,
      log,
      signal,
    });
    const unfinished = new Set(outcome.unfinished);
    for (const { name: pvbName, volume } of created) {
      const o = outcome.last.get(pvbName);
      const label = what(volume, pvbName);
      if (o === undefined) errors.push(`${label} failed: the PodVolumeBackup was deleted before it finished`);
      else if (unfinished.has(pvbName)) errors.push(`${label} ${outcome.aborted ? 'was canceled: the server is stopping' : `did not finish within ${formatGoDuration(timeout.ms)} and was canceled`}`);
      else if (o.status?.phase === 'Completed') log.info({ pvb: pvbName, snapshotID: o.status.snapshotID, namespace: volume.pod.namespace, pod: volume.pod.name, volume: volume.volume }, 'pod volume backed up');
      else if (o.status?.phase === 'Canceled') errors.push(`${label} was canceled${o.status.message ? `: ${o.status.message}` : ''}`);
      else errors.push(`${label} failed: ${o.status?.message || 'no reason given'}`);
    }
    try {
      const store = await deps.objectStore(bsl);
      const list = created.map((c) => outcome.last.get(c.name)).filter((o): o is PodVolumeBackup => o !== undefined);
      await store.put(backupKeys(name).podVolumeBackups, gzipJson(list.map(stripManagedFields)), { contentType: 'application/gzip' });
    } catch (err) {
      errors.push(`cannot write the list of pod volume backups: ${message(err)}`);
    }
    return { errors, warnings };
  };
}

function stripManagedFields(o: PodVolumeBackup): PodVolumeBackup {
  const { managedFields: _m, ...metadata } = o.metadata as PodVolumeBackup['metadata'] & { managedFields?: unknown };
  return { ...o, metadata };
}

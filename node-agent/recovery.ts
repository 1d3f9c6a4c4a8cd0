/**
 * On start, before taking new work: this node's PodVolumeBackups/Restores left InProgress belong
 * to an earlier run of the agent that is gone (killed, OOM, node reboot). Their data movement
 * cannot be resumed, so they are failed with the reason, and the controller sees a final phase
 * instead of waiting for its timeout. The partial upload leaves the repository consistent (an
 * interrupted backup writes no snapshot; prune removes unreferenced packs).
 */
import { LABELS, PLURALS, type PodVolumeBackup, type PodVolumeRestore } from '../crds/index.ts';
import { errText, formatTime, type Clock, type Logger, type SkiffClient } from '../controller/runtime/index.ts';

export interface RecoveryResult {
  readonly failed: string[];
}

export async function failInterruptedWork(o: { client: SkiffClient; node: string; clock: Clock; log: Logger }): Promise<RecoveryResult> {
  const failed: string[] = [];
  const selector = `${LABELS.node}=${o.node}`;
  const kinds = [
    { plural: PLURALS.PodVolumeBackup, what: 'backup' },
    { plural: PLURALS.PodVolumeRestore, what: 'restore' },
  ] as const;
  for (const { plural, what } of kinds) {
    const items = await o.client.list<PodVolumeBackup | PodVolumeRestore>(plural, { labelSelector: selector });
    for (const item of items) {
      if (item.status?.phase !== 'InProgress') continue;
      const name = item.metadata.name ?? '';
      const message = `node agent restarted during the ${what}`;
      try {
        await o.client.patchStatus(plural, name, { phase: 'Failed', message, completionTimestamp: formatTime(o.clock.now()) });
        failed.push(`${plural}/${name}`);
        o.log.warn({ [plural]: name }, message);
      } catch (err) {
        o.log.error({ err: errText(err), [plural]: name }, 'cannot fail work interrupted by a restart');
      }
    }
  }
  return { failed };
}

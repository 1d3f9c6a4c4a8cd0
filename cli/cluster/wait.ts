/** --wait: poll a Backup or Restore until its phase is terminal, printing a dot per poll. */
import type { KubeObject } from '../../controller/runtime/types.ts';
import { SkiffError } from '../../repository/index.ts';
import type { ClusterClient } from './client.ts';
import { type ClusterContext, pollFor } from './context.ts';

export const TERMINAL_PHASES = ['Completed', 'PartiallyFailed', 'Failed', 'FailedValidation'] as const;

type Phased = KubeObject & { status?: { phase?: string; failureReason?: string; validationErrors?: string[] | null; errors?: number } };

/**
 * Waits until `plural/name` reaches a terminal phase. Completed returns; any other terminal
 * phase throws SkiffError Permanent naming the phase and reason, so scripts see a non-zero exit.
 */
export async function waitForTerminal(ctx: ClusterContext, c: ClusterClient, kind: 'backup' | 'restore', name: string): Promise<Phased> {
  const plural = `${kind}s`;
  ctx.out.err(`Waiting for ${kind} ${name} to complete. You may safely press ctrl-c to stop waiting; the ${kind} continues in the background.`);
  const obj = await pollFor(ctx, `${kind} ${name}`, async () => {
    const cur = await c.get<Phased>(plural, name);
    if (cur === undefined) throw new SkiffError('NotFound', `${kind} ${name} disappeared while waiting for it`);
    const phase = cur.status?.phase ?? '';
    return (TERMINAL_PHASES as readonly string[]).includes(phase) ? cur : undefined;
  });
  const phase = obj.status?.phase ?? '';
  ctx.out.line(`${kind === 'backup' ? 'Backup' : 'Restore'} ${name} finished with status: ${phase}. See \`skiff ${kind} describe ${name}\` and \`skiff ${kind} logs ${name}\`.`);
  if (phase === 'Completed') return obj;
  const why = [obj.status?.failureReason, ...(obj.status?.validationErrors ?? [])].filter((s) => s !== undefined && s !== '').join('; ');
  throw new SkiffError('Permanent', `${kind} ${name} ended ${phase}${why !== '' ? `: ${why}` : ''}`);
}

/**
 * The node agent's liveness Lease (coordination.k8s.io/v1) `skiff-node-agent-<node>` in the server
 * namespace, holder = the node name, renewed every 10 s. The controller counts a node as having an
 * agent while the Lease's renewTime is less than 40 s old, and fails work for nodes without one.
 * Not leader election: one agent per node, so renewals simply overwrite the record.
 */
import { createHash } from 'node:crypto';
import { errText, microTime, sleepOn, type ClockWithTimers, type Lease, type LeaseStore, type Logger } from '../controller/runtime/index.ts';

export const LEASE_PREFIX = 'skiff-node-agent-';
/** Lease names are DNS subdomains (at most 253 characters). */
const MAX_NAME = 253;
export const RENEW_EVERY_MS = 10_000;
/** What the Lease says about itself; the controller's own threshold is 40 s. */
export const LEASE_DURATION_S = 40;

/**
 * `skiff-node-agent-<node>`; when that is longer than 253 characters, the node name is cut and
 * followed by `-` and the first 10 hex digits of its SHA-256, so distinct nodes keep distinct Leases.
 */
export function agentLeaseName(node: string): string {
  const full = LEASE_PREFIX + node;
  if (full.length <= MAX_NAME) return full;
  const hash = createHash('sha256').update(node).digest('hex').slice(0, 10);
  return `${LEASE_PREFIX}${node.slice(0, MAX_NAME - LEASE_PREFIX.length - hash.length - 1).replace(/[-.]+$/, '')}-${hash}`;
}

export interface LeaseKeeperOptions {
  readonly leases: LeaseStore;
  readonly node: string;
  readonly log: Logger;
  readonly clock: ClockWithTimers;
  readonly intervalMs?: number;
}

/** Creates or renews the Lease once; errors are returned, not thrown. */
export async function renewAgentLease(o: LeaseKeeperOptions): Promise<Error | undefined> {
  const name = agentLeaseName(o.node);
  const now = microTime(o.clock.now());
  try {
    const cur = await o.leases.get(name);
    const spec = { holderIdentity: o.node, leaseDurationSeconds: LEASE_DURATION_S, renewTime: now };
    if (cur === undefined) {
      await o.leases.create({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, labels: { 'app.kubernetes.io/name': 'skiff', 'app.kubernetes.io/component': 'node-agent' } },
        spec: { ...spec, acquireTime: now, leaseTransitions: 0 },
      });
    } else {
      const next: Lease = { ...cur, spec: { ...cur.spec, ...spec, acquireTime: cur.spec?.acquireTime ?? now } };
      await o.leases.replace(next);
    }
    return undefined;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** Renews every `intervalMs` (default 10 s) until `signal` aborts; says each change of health once. */
export async function keepAgentLease(o: LeaseKeeperOptions, signal: AbortSignal): Promise<void> {
  let failing = '';
  while (!signal.aborted) {
    const err = await renewAgentLease(o);
    if (err !== undefined && errText(err) !== failing) o.log.warn({ err: errText(err), lease: agentLeaseName(o.node) }, 'cannot renew the node agent lease');
    if (err === undefined && failing !== '') o.log.info({ lease: agentLeaseName(o.node) }, 'node agent lease renewed again');
    failing = err === undefined ? '' : errText(err);
    await sleepOn(o.clock, o.intervalMs ?? RENEW_EVERY_MS, signal);
  }
}

/**
 * Whether a node has a live node agent: its Lease `skiff-node-agent-<node>` in the server
 * namespace was renewed less than 40 s ago (agents renew every 10 s). Work for a node without
 * one is failed at once with `noAgentMessage(node)`, so it is visible instead of waiting for the
 * timeout.
 */
import { agentLeaseName } from '../../node-agent/agent-lease.ts';
import type { Clock, Lease } from '../runtime/index.ts';

export const AGENT_LIVE_MS = 40_000;

export { agentLeaseName };

export function noAgentMessage(node: string): string {
  return `no node agent is running on node ${node}`;
}

export function leaseIsLive(lease: Lease | undefined, now: Date, maxAgeMs = AGENT_LIVE_MS): boolean {
  const renewed = Date.parse(lease?.spec?.renewTime ?? '');
  if (Number.isNaN(renewed)) return false;
  return now.getTime() - renewed < maxAgeMs;
}

/** `(node) => live?`, reading each node's Lease once per checker (one backup or restore). */
export function agentChecker(getLease: (name: string) => Promise<Lease | undefined>, clock: Clock): (node: string) => Promise<boolean> {
  const seen = new Map<string, Promise<boolean>>();
  return (node) => {
    let p = seen.get(node);
    if (p === undefined) {
      p = getLease(agentLeaseName(node)).then((l) => leaseIsLive(l, clock.now()));
      seen.set(node, p);
      p.catch(() => seen.delete(node));
    }
    return p;
  };
}

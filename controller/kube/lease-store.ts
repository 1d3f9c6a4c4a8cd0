import type { Lease, LeaseStore } from '../runtime/leader-election.ts';
import type { DynamicClient } from './dynamic-client.ts';

const LEASES = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' } as const;

/** Leases (coordination.k8s.io/v1) in `namespace`, for the LeaderElector. */
export function leaseStore(dynamic: DynamicClient, namespace: string): LeaseStore {
  const r = dynamic.resource<Lease>(LEASES, namespace);
  return {
    get: (name) => r.get(name),
    create: (lease) => r.create(lease),
    replace: (lease) => r.replace(lease),
  };
}

import { type ClockWithTimers, sleepOn, systemClock } from './clock.ts';
import { errText } from './informer.ts';
import type { KubeObject, Logger } from './types.ts';

/** coordination.k8s.io/v1 Lease. Times are MicroTime strings (6 fractional digits). */
export interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number | null;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number | null;
  };
}

/** Get/create/replace of Leases in one namespace; `replace` fails with status 409 when stale. */
export interface LeaseStore {
  get(name: string): Promise<Lease | undefined>;
  create(lease: Lease): Promise<Lease>;
  replace(lease: Lease): Promise<Lease>;
}

export interface LeaderElectorOptions {
  leases: LeaseStore;
  /** the Lease's name */
  name: string;
  /** this replica's identity (pod name + random suffix) */
  identity: string;
  log: Logger;
  clock?: ClockWithTimers;
  /** how long a lease holds without renewal; default 15 s (whole seconds on the wire) */
  leaseDurationMs?: number;
  /** a leader that cannot renew for this long steps down; default 10 s; must be < leaseDurationMs */
  renewDeadlineMs?: number;
  /** pause between attempts to acquire or renew; default 2 s */
  retryPeriodMs?: number;
  /** called on winning; `signal` aborts on losing or stopping. Must not throw. */
  onStartedLeading(signal: AbortSignal): void;
  /** called after losing or giving up the lease; awaited before the lease is released */
  onStoppedLeading(): Promise<void> | void;
}

/** MicroTime as the API server parses it: RFC 3339 with exactly six fractional digits. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Leader election with a coordination.k8s.io Lease, as client-go does it. A candidate takes the
 * lease when it is free, expired by this replica's own observation (the holder's renewTime is not
 * compared with our clock, so clock skew does not matter: a lease counts as expired when its record
 * has not changed for leaseDuration as seen locally), or released. Writes go with the
 * resourceVersion read, so two candidates cannot both win. The leader renews every retryPeriod and
 * steps down when renewals fail for renewDeadline. On stop it waits for onStoppedLeading, then
 * releases the lease (empty holder) so another replica takes over at once.
 */
export class LeaderElector {
  private readonly o: LeaderElectorOptions;
  private readonly clock: ClockWithTimers;
  private observed: { record: string; at: number } | undefined;
  private leading = false;
  private lastError = '';

  constructor(opts: LeaderElectorOptions) {
    this.o = opts;
    this.clock = opts.clock ?? systemClock;
  }

  isLeader(): boolean {
    return this.leading;
  }

  private get retryMs(): number {
    return this.o.retryPeriodMs ?? 2000;
  }

  private get durationMs(): number {
    return this.o.leaseDurationMs ?? 15_000;
  }

  /** Campaigns, leads, and campaigns again after losing, until `signal` aborts. Never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!(await this.tryAcquireOrRenew())) {
        await sleepOn(this.clock, this.retryMs * (1 + Math.random() * 0.2), signal);
        continue;
      }
      await this.lead(signal);
    }
  }

  private async lead(signal: AbortSignal): Promise<void> {
    this.leading = true;
    this.o.log.info({ lease: this.o.name, identity: this.o.identity }, 'became leader');
    const term = new AbortController();
    const stop = (): void => term.abort();
    signal.addEventListener('abort', stop, { once: true });
    this.o.onStartedLeading(term.signal);
    let lastRenew = this.clock.now().getTime();
    const deadline = this.o.renewDeadlineMs ?? 10_000;
    while (!signal.aborted) {
      await sleepOn(this.clock, this.retryMs, signal);
      if (signal.aborted) break;
      const ok = await this.tryAcquireOrRenew();
      const now = this.clock.now().getTime();
      if (ok) lastRenew = now;
      else if (!this.holdsObservedLease() || now - lastRenew >= deadline) {
        this.o.log.warn({ lease: this.o.name }, 'lost the leader lease; stepping down');
        break;
      }
    }
    signal.removeEventListener('abort', stop);
    term.abort();
    this.leading = false;
    try {
      await this.o.onStoppedLeading();
    } catch (err) {
      this.o.log.error({ err: errText(err) }, 'onStoppedLeading failed');
    }
    if (signal.aborted) await this.release();
  }

  private holdsObservedLease(): boolean {
    if (this.observed === undefined) return true;
    const spec = (JSON.parse(this.observed.record) as Lease['spec']) ?? {};
    return spec.holderIdentity === this.o.identity;
  }

  /** One attempt; true when this replica holds the lease afterwards. Errors count as false. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.clock.now();
    const fresh = {
      holderIdentity: this.o.identity,
      leaseDurationSeconds: Math.max(1, Math.round(this.durationMs / 1000)),
      renewTime: microTime(now),
    };
    try {
      const lease = await this.o.leases.get(this.o.name);
      if (lease === undefined) {
        const created = await this.o.leases.create({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.o.name },
          spec: { ...fresh, acquireTime: microTime(now), leaseTransitions: 0 },
        });
        this.observe(created, now.getTime());
        this.lastError = '';
        return true;
      }
      const spec = lease.spec ?? {};
      this.observe(lease, now.getTime());
      const holder = spec.holderIdentity ?? '';
      const mine = holder === this.o.identity;
      const expiresAt = (this.observed?.at ?? 0) + (spec.leaseDurationSeconds ?? 0) * 1000;
      if (!mine && holder !== '' && expiresAt > now.getTime()) return false;
      const next: Lease = {
        ...lease,
        spec: {
          ...spec,
          ...fresh,
          acquireTime: mine ? (spec.acquireTime ?? microTime(now)) : microTime(now),
          leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
        },
      };
      this.observe(await this.o.leases.replace(next), now.getTime());
      this.lastError = '';
      return true;
    } catch (err) {
      // losing a race (409) is normal; anything else (no namespace, no RBAC) is said once per change
      const text = errText(err);
      const conflict = (err as { status?: unknown }).status === 409;
      if (!conflict && text !== this.lastError) this.o.log.warn({ err: text, lease: this.o.name }, 'cannot acquire or renew the leader lease');
      this.lastError = conflict ? this.lastError : text;
      return false;
    }
  }

  private observe(lease: Lease, at: number): void {
    const record = JSON.stringify(lease.spec ?? {});
    if (this.observed?.record !== record) this.observed = { record, at };
  }

  /** Gives the lease up (empty holder, 1 s duration) if this replica still holds it. */
  private async release(): Promise<void> {
    try {
      const lease = await this.o.leases.get(this.o.name);
      if (lease?.spec?.holderIdentity !== this.o.identity) return;
      await this.o.leases.replace({
        ...lease,
        spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(this.clock.now()) },
      });
      this.o.log.info({ lease: this.o.name }, 'released the leader lease');
    } catch (err) {
      this.o.log.warn({ err: errText(err) }, 'could not release the leader lease');
    }
  }
}

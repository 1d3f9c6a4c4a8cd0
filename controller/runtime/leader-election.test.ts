import test from 'ava';
import { ManualClock } from './clock.ts';
import { type Lease, LeaderElector, type LeaseStore, microTime } from './leader-election.ts';
import { memoryLogger } from './logger.ts';

/** Leases in memory with resourceVersion preconditions; `down` makes one caller's calls fail. */
class MemLeases {
  private lease: Lease | undefined;
  private rv = 0;
  readonly down = new Set<string>();

  storeFor(who: string): LeaseStore {
    const check = (): void => {
      if (this.down.has(who)) throw new Error(`${who}: connection refused`);
    };
    return {
      get: async () => {
        check();
        return this.lease === undefined ? undefined : structuredClone(this.lease);
      },
      create: async (l) => {
        check();
        if (this.lease !== undefined) throw Object.assign(new Error('exists'), { status: 409 });
        this.lease = { ...structuredClone(l), metadata: { ...l.metadata, resourceVersion: String(++this.rv) } };
        return structuredClone(this.lease);
      },
      replace: async (l) => {
        check();
        if (l.metadata.resourceVersion !== this.lease?.metadata.resourceVersion) throw Object.assign(new Error('conflict'), { status: 409 });
        this.lease = { ...structuredClone(l), metadata: { ...l.metadata, resourceVersion: String(++this.rv) } };
        return structuredClone(this.lease);
      },
    };
  }

  holder(): string | null | undefined {
    return this.lease?.spec?.holderIdentity;
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
}

test('MicroTime has six fractional digits', (t) => {
  t.is(microTime(new Date('2024-05-01T12:00:00.123Z')), '2024-05-01T12:00:00.123000Z');
});

test('a leader cut off from the API server steps down after renewDeadline; the other takes over once the lease expires', async (t) => {
  const clock = new ManualClock(0);
  const leases = new MemLeases();
  const events: string[] = [];
  const make = (id: string) =>
    new LeaderElector({
      leases: leases.storeFor(id),
      name: 'skiff-server',
      identity: id,
      log: memoryLogger().log,
      clock,
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      onStartedLeading: (signal) => {
        events.push(`${id} leads`);
        signal.addEventListener('abort', () => events.push(`${id} term ends`));
      },
      onStoppedLeading: () => {
        events.push(`${id} stopped`);
      },
    });
  const a = make('a');
  const b = make('b');
  const ac = new AbortController();
  const runA = a.run(ac.signal);
  await settle();
  const runB = b.run(ac.signal);
  await settle();
  t.true(a.isLeader());
  t.false(b.isLeader());
  t.deepEqual(events, ['a leads']);
  for (let i = 0; i < 10; i++) {
    await clock.tick(2_500);
    await settle();
  }
  t.true(a.isLeader(), 'renewals keep the lease');
  t.false(b.isLeader(), 'b never sees an expired lease while a renews');

  leases.down.add('a');
  for (let i = 0; i < 6; i++) {
    await clock.tick(2_500);
    await settle();
  }
  t.false(a.isLeader(), 'a stepped down after failing to renew for 10 s');
  t.deepEqual(events.slice(1, 3), ['a term ends', 'a stopped']);
  for (let i = 0; i < 6; i++) {
    await clock.tick(2_500);
    await settle();
  }
  t.true(b.isLeader(), 'b took over after the lease went unrenewed for 15 s');
  t.is(leases.holder(), 'b');
  t.false(a.isLeader());
  leases.down.delete('a');
  ac.abort();
  await Promise.all([runA, runB]);
  t.is(leases.holder(), '', 'b released the lease on stop');
});

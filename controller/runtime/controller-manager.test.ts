import test from 'ava';
import { ManualClock } from './clock.ts';
import { ControllerManager } from './controller-manager.ts';
import { memoryLogger } from './logger.ts';
import { MemSkiffClient } from './mem-skiff-client.ts';
import { ServerMetrics } from './metrics.ts';
import type { KubeObject, ObjectStore, ReconcileContext, Reconciler } from './types.ts';

interface Thing extends KubeObject {
  spec?: { n?: number };
  status?: { seen?: number };
}

const thing = (name: string, n = 0): Thing => ({ apiVersion: 'skiff.dev/v1', kind: 'Thing', metadata: { name }, spec: { n } });

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function setup(reconciler: Reconciler, extra: { concurrency?: number } = {}) {
  const client = new MemSkiffClient('skiff');
  const clock = new ManualClock();
  const { log, entries } = memoryLogger();
  const metrics = new ServerMetrics({ defaultMetrics: false });
  const m = new ControllerManager({
    client,
    sourceFor: (p) => client.source(p),
    objectStore: async (): Promise<ObjectStore> => {
      throw new Error('no stores here');
    },
    log,
    clock,
    metrics,
    baseDelayMs: 1000,
    resyncMs: 0,
  });
  m.addReconciler(reconciler, extra);
  const ac = new AbortController();
  return { client, clock, m, ac, entries, metrics };
}

test('reconciles existing and new objects with a fresh copy; requeueAfter comes back on the clock', async (t) => {
  const calls: string[] = [];
  const r: Reconciler<Thing> = {
    plural: 'things',
    async reconcile(obj, ctx) {
      calls.push(`${obj.metadata.name}:${obj.status?.seen ?? '-'}`);
      if (obj.status?.seen === undefined) await ctx.client.patchStatus('things', obj.metadata.name ?? '', { seen: 1 });
      return { requeueAfterMs: 60_000 };
    },
  };
  const { client, clock, m, ac } = setup(r as Reconciler);
  await client.create('things', thing('a'));
  const done = m.start(ac.signal);
  await until('first reconcile', () => calls.length >= 1);
  await client.create('things', thing('b'));
  // a's status write triggers one more reconcile (level-triggered), which sees seen=1 fresh
  await until('b and a again', () => calls.includes('b:-') && calls.includes('a:1'));
  const before = calls.length;
  await clock.tick(59_000);
  t.is(calls.length, before, 'nothing before requeueAfter');
  await clock.tick(1_000);
  await until('requeued visits', () => calls.length > before);
  t.true(m.hasSynced());
  ac.abort();
  await done;
  t.true(calls.every((c) => /^[ab]:/.test(c)));
});

test('a thrown error is logged, counted and retried with growing backoff; success resets it', async (t) => {
  let attempts = 0;
  const r: Reconciler = {
    plural: 'things',
    async reconcile() {
      attempts++;
      if (attempts <= 3) throw new Error(`boom ${attempts}`);
    },
  };
  const { client, clock, m, ac, entries, metrics } = setup(r);
  await client.create('things', thing('a'));
  const done = m.start(ac.signal);
  await until('first attempt', () => attempts === 1);
  await clock.tick(999);
  t.is(attempts, 1);
  await clock.tick(1);
  await until('second attempt after 1 s', () => attempts === 2);
  await clock.tick(1999);
  t.is(attempts, 2);
  await clock.tick(1);
  await until('third attempt after 2 s', () => attempts === 3);
  await clock.tick(4000);
  await until('fourth attempt after 4 s', () => attempts === 4);
  const errors = entries.filter((e) => e.msg === 'reconcile failed');
  t.deepEqual(errors.map((e) => e.fields['err']), ['boom 1', 'boom 2', 'boom 3']);
  t.deepEqual(errors.map((e) => e.fields['retryInMs']), [1000, 2000, 4000]);
  t.is(errors[0]?.fields['controller'], 'things');
  t.is(errors[0]?.fields['name'], 'a');
  const text = (await metrics.text()).body;
  t.regex(text, /skiff_reconcile_total\{controller="things",result="error"\} 3/);
  t.regex(text, /skiff_reconcile_total\{controller="things",result="success"\} 1/);
  ac.abort();
  await done;
});

test('one key never runs twice at once, even with several workers; other keys run in parallel', async (t) => {
  let inFlight = new Map<string, number>();
  let maxSameKey = 0;
  let maxParallel = 0;
  const release: (() => void)[] = [];
  const r: Reconciler = {
    plural: 'things',
    async reconcile(obj) {
      const k = obj.metadata.name ?? '';
      inFlight.set(k, (inFlight.get(k) ?? 0) + 1);
      maxSameKey = Math.max(maxSameKey, inFlight.get(k) ?? 0);
      maxParallel = Math.max(maxParallel, [...inFlight.values()].reduce((a, b) => a + b, 0));
      await new Promise<void>((res) => release.push(res));
      inFlight.set(k, (inFlight.get(k) ?? 1) - 1);
    },
  };
  const { client, m, ac } = setup(r, { concurrency: 4 });
  await client.create('things', thing('a'));
  await client.create('things', thing('b'));
  const done = m.start(ac.signal);
  await until('both running', () => release.length === 2);
  // changes to a while it is being reconciled
  for (let i = 1; i <= 5; i++) await client.patch('things', 'a', { spec: { n: i } });
  await new Promise((r2) => setTimeout(r2, 30));
  t.is(release.length, 2, 'a is not handed to a second worker');
  release.splice(0).forEach((f) => f());
  await until('a again, once', () => release.length === 1);
  await new Promise((r2) => setTimeout(r2, 30));
  t.is(release.length, 1, 'the five changes collapsed into one more reconcile');
  release.splice(0).forEach((f) => f());
  t.is(maxSameKey, 1);
  t.is(maxParallel, 2);
  ac.abort();
  await done;
  inFlight = new Map();
});

test('the start hook runs before any reconcile; a deleted object is not reconciled', async (t) => {
  const order: string[] = [];
  const r: Reconciler = {
    plural: 'things',
    async start(ctx: ReconcileContext) {
      order.push(`start ${(await ctx.client.list('things')).length}`);
    },
    async reconcile(obj) {
      order.push(`reconcile ${obj.metadata.name}`);
    },
  };
  const { client, m, ac } = setup(r);
  await client.create('things', thing('a'));
  const done = m.start(ac.signal);
  await until('a reconciled', () => order.includes('reconcile a'));
  await client.create('things', thing('gone'));
  await client.delete('things', 'gone');
  await client.create('things', thing('c'));
  await until('c reconciled', () => order.includes('reconcile c'));
  t.deepEqual(order.filter((o) => o !== 'reconcile gone'), ['start 1', 'reconcile a', 'reconcile c']);
  ac.abort();
  await done;
});

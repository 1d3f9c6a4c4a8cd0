import test from 'ava';
import { ManualClock } from './clock.ts';
import { Informer, type ListWatchSource, type SourceEvent, type SourcePage } from './informer.ts';
import { memoryLogger } from './logger.ts';
import type { KubeObject } from './types.ts';

const obj = (name: string, rv: string): KubeObject => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });

/** A scripted list+watch: the test decides what lists return and what the open watch sends. */
class FakeSource implements ListWatchSource<KubeObject> {
  items: KubeObject[] = [];
  rv = '10';
  listCalls = 0;
  watchFrom: (string | undefined)[] = [];
  failList: Error | undefined;
  private current: { onEvent: (e: SourceEvent<KubeObject>) => void; resolve: () => void; reject: (e: Error) => void } | undefined;

  async listPage(opts: { limit?: number; continue?: string }): Promise<SourcePage<KubeObject>> {
    this.listCalls++;
    if (this.failList !== undefined) throw this.failList;
    // two pages, to exercise continue
    const half = Math.ceil(this.items.length / 2);
    if (opts.continue === undefined && this.items.length > 1) return { items: this.items.slice(0, half), resourceVersion: this.rv, continue: 'next' };
    return { items: opts.continue === undefined ? this.items : this.items.slice(half), resourceVersion: this.rv };
  }

  watch(opts: { resourceVersion?: string; signal?: AbortSignal }, onEvent: (e: SourceEvent<KubeObject>) => void): Promise<void> {
    this.watchFrom.push(opts.resourceVersion);
    return new Promise((resolve, reject) => {
      this.current = { onEvent, resolve, reject };
      opts.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  send(type: SourceEvent<KubeObject>['type'], o: KubeObject): void {
    this.current?.onEvent({ type, object: o });
  }

  end(): void {
    this.current?.resolve();
  }

  fail(err: Error): void {
    this.current?.reject(err);
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
}

function setup() {
  const src = new FakeSource();
  const clock = new ManualClock();
  const { log, entries } = memoryLogger();
  const inf = new Informer(src, { log, clock, minBackoffMs: 1000, maxBackoffMs: 4000 });
  const seen: string[] = [];
  inf.on({
    add: (o) => seen.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`),
    update: (a, b) => seen.push(`update ${b.metadata.name} ${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`),
    delete: (o) => seen.push(`delete ${o.metadata.name}`),
  });
  const ac = new AbortController();
  return { src, clock, inf, seen, ac, entries };
}

test('lists (all pages), syncs, then watches from the list resourceVersion and applies events', async (t) => {
  const { src, inf, seen, ac } = setup();
  src.items = [obj('a', '1'), obj('b', '2'), obj('c', '3')];
  const run = inf.run(ac.signal);
  await settle();
  t.true(inf.hasSynced());
  t.deepEqual(seen, ['add a@1', 'add b@2', 'add c@3']);
  t.deepEqual(src.watchFrom, ['10']);
  src.send('MODIFIED', obj('a', '11'));
  src.send('MODIFIED', obj('a', '11'));
  src.send('DELETED', obj('b', '12'));
  src.send('ADDED', obj('d', '13'));
  src.send('BOOKMARK', { metadata: { resourceVersion: '20' } });
  t.deepEqual(seen.slice(3), ['update a 1->11', 'delete b', 'add d@13'], 'a repeated resourceVersion is not an update');
  t.deepEqual(inf.keys().sort(), ['ns/a', 'ns/c', 'ns/d']);
  t.is(inf.get('ns/a')?.metadata.resourceVersion, '11');
  src.end();
  await settle();
  t.deepEqual(src.watchFrom, ['10', '20'], 'a watch the server ended resumes from the last resourceVersion (the bookmark)');
  t.is(inf.lists, 1, 'no new list for a normal end');
  ac.abort();
  await run;
});

test('a watch error re-lists after a backoff and emits what changed meanwhile', async (t) => {
  const { src, clock, inf, seen, ac, entries } = setup();
  src.items = [obj('a', '1'), obj('b', '2')];
  const run = inf.run(ac.signal);
  await settle();
  seen.length = 0;
  // while the watch is down: a changed, b deleted, c added
  src.items = [obj('a', '5'), obj('c', '6')];
  src.rv = '30';
  src.fail(Object.assign(new Error('connection reset'), { status: undefined }));
  await settle();
  t.is(src.watchFrom.length, 1, 'waits for the backoff before listing again');
  await clock.tick(1000);
  await settle();
  t.deepEqual(seen, ['update a 1->5', 'add c@6', 'delete b']);
  t.deepEqual(src.watchFrom, ['10', '30']);
  t.true(entries.some((e) => e.level === 'warn' && e.fields['err'] === 'connection reset'));
  ac.abort();
  await run;
});

test('410 Gone re-lists at once; repeated list failures back off up to the cap', async (t) => {
  const { src, clock, inf, ac } = setup();
  src.items = [obj('a', '1')];
  const run = inf.run(ac.signal);
  await settle();
  src.fail(Object.assign(new Error('too old resource version'), { status: 410 }));
  await settle();
  t.is(src.listCalls, 2, 'listed again without waiting');
  src.failList = new Error('apiserver down');
  src.fail(new Error('broken'));
  await settle();
  t.is(src.listCalls, 2);
  const calls: number[] = [];
  for (const step of [1000, 1000, 2000, 4000, 4000]) {
    await clock.tick(step);
    await settle();
    calls.push(src.listCalls);
  }
  // failures: broken watch (1 s), list fails (2 s), list fails (4 s), list fails (4 s cap)
  t.deepEqual(calls, [3, 3, 4, 5, 6]);
  src.failList = undefined;
  await clock.tick(4000);
  await settle();
  t.is(src.watchFrom.length, 3, 'watching again once a list succeeds');
  ac.abort();
  await run;
});

test('stops when the signal aborts, and a throwing handler does not stop the informer', async (t) => {
  const { src, inf, ac, entries } = setup();
  inf.on({
    add: () => {
      throw new Error('handler bug');
    },
  });
  src.items = [obj('a', '1')];
  const run = inf.run(ac.signal);
  await settle();
  src.send('ADDED', obj('b', '2'));
  t.is(inf.keys().length, 2);
  t.true(entries.some((e) => e.level === 'error' && e.fields['err'] === 'handler bug'));
  ac.abort();
  await run;
  t.pass();
});

import test from 'ava';
import { isCode } from '../../repository/index.ts';
import type { ApiResource } from './cluster-writer.ts';
import { ensureNamespace, waitForCrd } from './cluster-waits.ts';
import { FakeCluster } from './testing/fake-cluster.ts';
import { crdItem } from './testing/items.ts';

const noSleep = () => Promise.resolve();

test('a terminating namespace is waited out, then created again from the template', async (t) => {
  const c = new FakeCluster();
  const ns = (await c.findResource('', 'namespaces', 'v1')) as ApiResource;
  c.seed(ns, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' }, status: { phase: 'Terminating' } });
  let polls = 0;
  const realGet = c.get.bind(c);
  c.get = (res, nsName, name) => {
    if (++polls === 3) c.objects.clear();
    return realGet(res, nsName, name);
  };
  const created = await ensureNamespace(c, 'app', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app', labels: { team: 'a' } } }, { timeoutMs: 10_000, sleep: noSleep });
  t.true(created);
  t.deepEqual((c.lookup('', 'namespaces', undefined, 'app')?.['metadata'] as { labels?: unknown }).labels, { team: 'a' });
  t.false(await ensureNamespace(c, 'app', undefined, { timeoutMs: 10_000, sleep: noSleep }), 'present: nothing to do');
});

test('a namespace that stays terminating times out', async (t) => {
  const c = new FakeCluster();
  const ns = (await c.findResource('', 'namespaces', 'v1')) as ApiResource;
  c.seed(ns, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' }, status: { phase: 'Terminating' } });
  let now = 0;
  const err = await t.throwsAsync(
    ensureNamespace(c, 'app', undefined, {
      timeoutMs: 1000,
      now: () => now,
      sleep: (ms) => {
        now += ms;
        return Promise.resolve();
      },
    }),
  );
  t.true(isCode(err, 'Transient'));
  t.regex(err?.message ?? '', /timed out after 1s waiting for namespace app to finish terminating/);
});

test('waitForCrd returns once the CRD is Established and its resource served', async (t) => {
  const c = new FakeCluster();
  c.crdReadyAfterPolls = 4;
  const crdRes = (await c.findResource('apiextensions.k8s.io', 'customresourcedefinitions', 'v1')) as ApiResource;
  const crd = crdItem('widgets', 'example.com', 'Widget').object;
  await c.create(crdRes, crd);
  t.is(await c.findResource('example.com', 'widgets', 'v1'), undefined);
  await waitForCrd(c, crdRes, crd, { timeoutMs: 10_000, sleep: noSleep });
  t.truthy(await c.findResource('example.com', 'widgets', 'v1'));
});

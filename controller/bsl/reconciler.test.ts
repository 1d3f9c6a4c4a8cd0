import test from 'ava';
import type { BackupStorageLocation } from '../../crds/index.ts';
import { SkiffError } from '../../repository/errors/errors.ts';
import { MemObjectStore } from '../objectstore/mem-object-store.ts';
import { ManualClock } from '../runtime/clock.ts';
import { memoryLogger } from '../runtime/logger.ts';
import { MemSkiffClient } from '../runtime/mem-skiff-client.ts';
import type { ReconcileContext } from '../runtime/types.ts';
import { defaultBsl, isWritable } from './access.ts';
import { bslReconciler } from './reconciler.ts';

const PLURAL = 'backupstoragelocations';

const bsl = (name: string, spec: Partial<BackupStorageLocation['spec']> = {}): BackupStorageLocation => ({
  apiVersion: 'skiff.dev/v1',
  kind: 'BackupStorageLocation',
  metadata: { name },
  spec: { provider: 'aws', objectStorage: { bucket: 'b' }, ...spec },
});

function setup() {
  const client = new MemSkiffClient('skiff');
  const clock = new ManualClock(Date.UTC(2024, 4, 1, 12, 0, 0));
  const store = new MemObjectStore();
  const { log, entries } = memoryLogger();
  let validations = 0;
  const validate = store.validate.bind(store);
  store.validate = async () => {
    validations++;
    await validate();
  };
  const ctx: ReconcileContext = { client, clock, log, signal: new AbortController().signal, objectStore: async () => store };
  const r = bslReconciler();
  const reconcile = async (name: string) => r.reconcile((await client.get<BackupStorageLocation>(PLURAL, name))!, ctx);
  const status = async (name: string) => (await client.get<BackupStorageLocation>(PLURAL, name))?.status;
  return { client, clock, store, entries, reconcile, status, validations: () => validations };
}

test('Available with lastValidationTime; revalidated only after validationFrequency (default 1m)', async (t) => {
  const { client, clock, reconcile, status, validations } = setup();
  await client.create(PLURAL, bsl('default'));
  t.deepEqual(await reconcile('default'), { requeueAfterMs: 60_000 });
  t.deepEqual(await status('default'), { phase: 'Available', lastValidationTime: '2024-05-01T12:00:00Z' });
  clock.advance(20_000);
  t.deepEqual(await reconcile('default'), { requeueAfterMs: 40_000 }, 'the status write event does not cause a new validation');
  t.is(validations(), 1);
  clock.advance(40_000);
  await reconcile('default');
  t.is(validations(), 2);
  t.is((await status('default'))?.lastValidationTime, '2024-05-01T12:01:00Z');
});

test('an unreachable store is Unavailable with the reason; recovery clears the message', async (t) => {
  const { client, clock, store, entries, reconcile, status } = setup();
  await client.create(PLURAL, bsl('default', { validationFrequency: '10s' }));
  store.failWith = new SkiffError('Transient', 'cannot reach http://127.0.0.1:1: ECONNREFUSED');
  t.deepEqual(await reconcile('default'), { requeueAfterMs: 10_000 });
  t.deepEqual(await status('default'), { phase: 'Unavailable', message: 'cannot reach http://127.0.0.1:1: ECONNREFUSED', lastValidationTime: '2024-05-01T12:00:00Z' });
  t.true(entries.some((e) => e.level === 'warn' && e.fields['reason'] === 'cannot reach http://127.0.0.1:1: ECONNREFUSED'));
  store.failWith = undefined;
  clock.advance(10_000);
  await reconcile('default');
  t.deepEqual(await status('default'), { phase: 'Available', lastValidationTime: '2024-05-01T12:00:10Z' });
});

test('a spec change is validated at once; validationFrequency 0 turns periodic validation off; a bad duration is reported', async (t) => {
  const { client, clock, reconcile, status, validations } = setup();
  await client.create(PLURAL, bsl('a', { validationFrequency: '1h' }));
  await reconcile('a');
  await client.patch(PLURAL, 'a', { spec: { config: { region: 'eu-west-1' } } });
  clock.advance(1000);
  await reconcile('a');
  t.is(validations(), 2, 'changed spec: validated without waiting an hour');
  await client.create(PLURAL, bsl('off', { validationFrequency: '0s' }));
  t.is(await reconcile('off'), undefined);
  clock.advance(3_600_000);
  t.is(await reconcile('off'), undefined);
  t.is(validations(), 3, 'validated once, then never again');
  await client.create(PLURAL, bsl('bad', { validationFrequency: '1 day' }));
  await reconcile('bad');
  t.is((await status('bad'))?.phase, 'Unavailable');
  t.regex((await status('bad'))?.message ?? '', /^spec.validationFrequency: invalid duration "1 day"/);
});

test('isWritable and defaultBsl', async (t) => {
  t.true(isWritable(bsl('a')));
  t.true(isWritable(bsl('a', { accessMode: 'ReadWrite' })));
  t.false(isWritable(bsl('a', { accessMode: 'ReadOnly' })));
  const client = new MemSkiffClient('skiff');
  t.is(await defaultBsl(client), undefined);
  await client.create(PLURAL, bsl('default'));
  t.is((await defaultBsl(client))?.metadata.name, 'default', 'named default');
  await client.create(PLURAL, bsl('zeta', { default: true }));
  await client.create(PLURAL, bsl('alpha', { default: true }));
  t.is((await defaultBsl(client))?.metadata.name, 'alpha', 'spec.default wins; first by name');
});

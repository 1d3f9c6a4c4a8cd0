/**
 * The shared contract suite every Storage backend must pass (imported by *.test.ts files).
 * Each test gets a fresh, empty storage from `make`.
 */
import { createHash, randomBytes } from 'node:crypto';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { SkiffError } from '../errors/errors.ts';
import { FILE_TYPES, layoutPath } from './storage.ts';
import type { FileInfo, FileType, Handle, Storage } from './storage.ts';

export interface ContractSubject {
  readonly storage: Storage;
  /** writes bytes at a layout-relative path, bypassing `save` (to plant temp-like names) */
  putRaw(relPath: string, data: Uint8Array): Promise<void>;
  cleanup?(): Promise<void>;
}

export interface ContractOptions {
  /** also run the ≥ 70 MiB object test (S3 multipart, fs) */
  readonly large?: boolean;
}

export function randomId(first2?: string): string {
  const id = randomBytes(32).toString('hex');
  return first2 === undefined ? id : first2 + id.slice(2);
}

const handle = (type: FileType, name = randomId()): Handle => ({ type, name: type === 'config' ? '' : name });

async function collect(it: AsyncIterable<FileInfo>): Promise<FileInfo[]> {
  const out: FileInfo[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function code(t: ExecutionContext, p: Promise<unknown>, expected: SkiffError['code']): Promise<SkiffError> {
  const err = await t.throwsAsync(p, { instanceOf: SkiffError });
  t.is(err?.code, expected, err?.message);
  return err as SkiffError;
}

export function runStorageContract(name: string, make: () => Promise<ContractSubject>, opts: ContractOptions = {}): void {
  const it = (title: string, fn: (t: ExecutionContext, s: ContractSubject) => Promise<void>): void => {
    test(`${name}: ${title}`, async (t) => {
      const s = await make();
      try {
        await fn(t, s);
      } finally {
        await s.storage.close();
        await s.cleanup?.();
      }
    });
  };

  it('save then load returns the same bytes for every file type', async (t, { storage }) => {
    for (const type of FILE_TYPES) {
      const h = handle(type);
      const data = randomBytes(1000 + FILE_TYPES.indexOf(type));
      await storage.save(h, data);
      t.deepEqual(await storage.load(h), data, type);
      t.deepEqual(await storage.stat(h), { name: h.name, size: data.length }, type);
    }
  });

  it('empty objects can be saved, loaded and stat-ed', async (t, { storage }) => {
    const h = handle('index');
    await storage.save(h, new Uint8Array(0));
    t.is((await storage.load(h)).length, 0);
    t.is((await storage.stat(h)).size, 0);
  });

  it('ranged loads return exactly the requested bytes', async (t, { storage }) => {
    const h = handle('data');
    const data = randomBytes(4096);
    await storage.save(h, data);
    t.deepEqual(await storage.load(h, { offset: 100, length: 50 }), data.subarray(100, 150));
    t.deepEqual(await storage.load(h, { offset: 4000 }), data.subarray(4000));
    t.deepEqual(await storage.load(h, { length: 10 }), data.subarray(0, 10));
    t.deepEqual(await storage.load(h, { offset: 4090, length: 6 }), data.subarray(4090));
    t.is((await storage.load(h, { offset: 4096 })).length, 0);
    t.is((await storage.load(h, { offset: 5, length: 0 })).length, 0);
  });

  it('loadInto fills exactly the given view, also of a shared buffer, and nothing around it', async (t, { storage }) => {
    t.is(typeof storage.loadInto, 'function', 'every backend here reads into caller memory');
    const h = handle('data');
    const data = randomBytes(4096);
    await storage.save(h, data);
    const whole = Buffer.alloc(4096 + 20, 0xee);
    await storage.loadInto!(h, whole.subarray(10, 4106));
    t.true(whole.subarray(10, 4106).equals(data));
    t.true(whole.subarray(0, 10).equals(Buffer.alloc(10, 0xee)) && whole.subarray(4106).equals(Buffer.alloc(10, 0xee)), 'bytes around the view untouched');
    const shared = new Uint8Array(new SharedArrayBuffer(300));
    await storage.loadInto!(h, shared.subarray(100, 250), { offset: 3946 });
    t.true(Buffer.from(shared.buffer, 100, 150).equals(data.subarray(3946)));
    await storage.loadInto!(h, new Uint8Array(0), { offset: 4096 });
    t.pass();
  });

  it('loadInto past the end is Integrity, of a missing object NotFound, with an aborted signal Cancelled', async (t, { storage }) => {
    const h = handle('data');
    await storage.save(h, randomBytes(100));
    await code(t, storage.loadInto!(h, new Uint8Array(20), { offset: 90 }), 'Integrity');
    await code(t, storage.loadInto!(h, new Uint8Array(101)), 'Integrity');
    await code(t, storage.loadInto!(h, new Uint8Array(0), { offset: 101 }), 'Integrity');
    await code(t, storage.loadInto!(handle('data'), new Uint8Array(10)), 'NotFound');
    const ac = new AbortController();
    ac.abort();
    await code(t, storage.loadInto!(h, new Uint8Array(10), { signal: ac.signal }), 'Cancelled');
  });

  it('a read past the end is an Integrity error', async (t, { storage }) => {
    const h = handle('data');
    await storage.save(h, randomBytes(100));
    await code(t, storage.load(h, { offset: 90, length: 20 }), 'Integrity');
    await code(t, storage.load(h, { offset: 101 }), 'Integrity');
    await code(t, storage.load(h, { offset: 200, length: 1 }), 'Integrity');
  });

  it('missing objects are NotFound for load and stat', async (t, { storage }) => {
    await code(t, storage.load(handle('snapshot')), 'NotFound');
    await code(t, storage.load(handle('data'), { offset: 1, length: 2 }), 'NotFound');
    await code(t, storage.stat(handle('key')), 'NotFound');
    await code(t, storage.load(handle('config')), 'NotFound');
  });

  it('the bytes saved are copied: changing the caller buffer afterwards changes nothing', async (t, { storage }) => {
    const h = handle('key');
    const data = Buffer.from('original content');
    await storage.save(h, data);
    data.fill(0);
    t.is((await storage.load(h)).toString(), 'original content');
  });

  it('list yields every object of a type once, with sizes, across data subdirs', async (t, { storage }) => {
    const want = new Map<FileType, Map<string, number>>();
    for (const type of FILE_TYPES.filter((x) => x !== 'config')) {
      const m = new Map<string, number>();
      for (let i = 0; i < 3; i++) {
        const h = handle(type, type === 'data' ? randomId(['00', '7f', 'ff'][i]) : randomId());
        await storage.save(h, randomBytes(10 + i));
        m.set(h.name, 10 + i);
      }
      want.set(type, m);
    }
    await storage.save(handle('config'), Buffer.from('cfg'));
    for (const [type, m] of want) {
      const got = await collect(storage.list(type));
      const sorted = (xs: [string, number][]): [string, number][] => xs.sort((a, b) => a[0].localeCompare(b[0]));
      t.deepEqual(sorted(got.map((x) => [x.name, x.size])), sorted([...m]), type);
      t.is(got.length, m.size, type);
    }
  });

  it('list skips temporary and foreign names', async (t, { storage, putRaw }) => {
    const id = randomId('ab');
    await storage.save({ type: 'data', name: id }, Buffer.from('pack'));
    await putRaw(`data/ab/${id}-tmp-123456`, Buffer.from('partial'));
    await putRaw(`data/ab/${id.toUpperCase()}`, Buffer.from('x'));
    await putRaw('data/ab/README', Buffer.from('x'));
    await putRaw(`index/${randomId()}-tmp-abc`, Buffer.from('x'));
    await putRaw(`keys/${randomId().slice(1)}`, Buffer.from('x'));
    t.deepEqual((await collect(storage.list('data'))).map((x) => x.name), [id]);
    t.deepEqual(await collect(storage.list('index')), []);
    t.deepEqual(await collect(storage.list('key')), []);
  });

  it('remove deletes and is idempotent', async (t, { storage }) => {
    const h = handle('lock');
    await storage.save(h, Buffer.from('lock'));
    await storage.remove(h);
    await code(t, storage.stat(h), 'NotFound');
    t.deepEqual(await collect(storage.list('lock')), []);
    await t.notThrowsAsync(storage.remove(h));
    await t.notThrowsAsync(storage.remove(handle('data')));
  });

  it('saving different bytes under an existing name is a Conflict unless overwrite is set', async (t, { storage }) => {
    const h = handle('lock');
    await storage.save(h, Buffer.from('first'));
    await code(t, storage.save(h, Buffer.from('second')), 'Conflict');
    t.is((await storage.load(h)).toString(), 'first');
    await t.notThrowsAsync(storage.save(h, Buffer.from('first')), 'same bytes again is fine');
    await storage.save(h, Buffer.from('third, longer'), { overwrite: true });
    t.is((await storage.load(h)).toString(), 'third, longer');
  });

  it('create prepares an empty location and refuses one with a config', async (t, { storage }) => {
    await storage.create();
    t.deepEqual(await collect(storage.list('data')), []);
    await storage.save(handle('config'), Buffer.from('cfg'));
    await code(t, storage.create(), 'Conflict');
  });

  it('concurrent saves all land', async (t, { storage }) => {
    const handles = Array.from({ length: 24 }, (_, i) => handle(i % 2 === 0 ? 'data' : 'index'));
    const same = handle('data');
    const sameBytes = randomBytes(5000);
    await Promise.all([
      ...handles.map((h) => storage.save(h, Buffer.from(h.name))),
      ...Array.from({ length: 4 }, () => storage.save(same, sameBytes)),
    ]);
    const data = await collect(storage.list('data'));
    t.is(data.length, 13);
    const loaded = await Promise.all(handles.map((h) => storage.load(h)));
    t.deepEqual(loaded.map((b) => b.toString()), handles.map((h) => h.name));
    t.deepEqual(await storage.load(same), sameBytes);
  });

  it('an aborted signal cancels load and save', async (t, { storage }) => {
    const h = handle('data');
    const ac = new AbortController();
    ac.abort();
    await code(t, storage.save(h, Buffer.from('x'), { signal: ac.signal }), 'Cancelled');
    await code(t, storage.load(h, { signal: ac.signal }), 'Cancelled');
    await code(t, storage.stat(h), 'NotFound');
  });

  it('location never holds credentials and layout paths are restic\'s', async (t, { storage }) => {
    t.false(/secret|password|S3RVER:/i.test(storage.location), storage.location);
    t.true(storage.connections >= 1);
    t.is(layoutPath({ type: 'data', name: 'ab'.padEnd(64, '0') }), `data/ab/${'ab'.padEnd(64, '0')}`);
  });

  if (opts.large === true) {
    it('a 70 MiB object round-trips (multipart on S3)', async (t, { storage }) => {
      const h = handle('data');
      const data = randomBytes(70 * 1024 * 1024 + 123);
      await storage.save(h, data);
      t.is((await storage.stat(h)).size, data.length);
      const tail = await storage.load(h, { offset: data.length - 1000, length: 1000 });
      t.deepEqual(tail, data.subarray(data.length - 1000));
      const all = await storage.load(h);
      t.is(sha256(all), sha256(data));
    });
  }
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

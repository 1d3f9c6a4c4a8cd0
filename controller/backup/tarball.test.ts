import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import test from 'ava';
import { isCode } from '../../repository/errors/errors.ts';
import type { CollectedItem } from './collect.ts';
import { readTar, readTarGz } from './tar-reader.ts';
import { TarWriter, paxRecord, splitUstarPath } from './tar-writer.ts';
import { TarballWriter, itemPaths, parseItemPath } from './tarball.ts';

function item(resource: string, group: string, name: string, namespace?: string): CollectedItem {
  const object = { apiVersion: group === '' ? 'v1' : `${group}/v1`, kind: 'K', metadata: { name, ...(namespace ? { namespace } : {}) } };
  return { group, version: 'v1', resource, kind: 'K', name, object, ...(namespace ? { namespace } : {}) };
}

async function gzTarball(items: CollectedItem[]): Promise<Buffer> {
  const gz = createGzip();
  const chunks: Buffer[] = [];
  gz.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => gz.on('end', r));
  const w = new TarballWriter(gz, { mtimeSeconds: 1_700_000_000 });
  for (const i of items) await w.add(i);
  await w.finish();
  gz.end();
  await done;
  return Buffer.concat(chunks);
}

async function entries(gz: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for await (const e of readTarGz(Readable.from([gz]))) out.set(e.path, e.data);
  return out;
}

const longName = `n${'x'.repeat(252)}`;

test('layout: metadata/version, legacy and preferred-version paths, core without group', async (t) => {
  const gz = await gzTarball([item('deployments', 'apps', 'web', 'app'), item('persistentvolumes', '', 'pv-1'), item('widgets', 'example.com', longName, 'app')]);
  const got = await entries(gz);
  t.deepEqual([...got.keys()], [
    'metadata/version',
    'resources/deployments.apps/namespaces/app/web.json',
    'resources/deployments.apps/v1-preferredversion/namespaces/app/web.json',
    'resources/persistentvolumes/cluster/pv-1.json',
    'resources/persistentvolumes/v1-preferredversion/cluster/pv-1.json',
    `resources/widgets.example.com/namespaces/app/${longName}.json`,
    `resources/widgets.example.com/v1-preferredversion/namespaces/app/${longName}.json`,
  ]);
  t.is(got.get('metadata/version')?.toString(), '1.1.0\n');
  const web = JSON.parse(got.get('resources/deployments.apps/namespaces/app/web.json')?.toString() ?? '{}') as { apiVersion: string };
  t.is(web.apiVersion, 'apps/v1');
  t.deepEqual(got.get('resources/deployments.apps/namespaces/app/web.json'), got.get('resources/deployments.apps/v1-preferredversion/namespaces/app/web.json'));
  t.deepEqual(gz, await gzTarball([item('deployments', 'apps', 'web', 'app'), item('persistentvolumes', '', 'pv-1'), item('widgets', 'example.com', longName, 'app')]), 'deterministic bytes');
});

test('item paths parse back', (t) => {
  const p = itemPaths(item('pods', '', 'p', 'ns'));
  t.deepEqual(parseItemPath(p.legacy), { groupResource: 'pods', preferred: false, name: 'p', namespace: 'ns' });
  t.deepEqual(parseItemPath(p.preferred), { groupResource: 'pods', preferred: true, version: 'v1', name: 'p', namespace: 'ns' });
  t.deepEqual(parseItemPath('resources/nodes/cluster/n1.json'), { groupResource: 'nodes', preferred: false, name: 'n1' });
  t.deepEqual(parseItemPath('resources/hpas.autoscaling/v2beta2/namespaces/a/h.json'), { groupResource: 'hpas.autoscaling', preferred: false, version: 'v2beta2', name: 'h', namespace: 'a' });
  t.is(parseItemPath('metadata/version'), undefined);
  t.is(parseItemPath('resources/pods/namespaces/p.json'), undefined);
});

test('ustar split and PAX records', (t) => {
  t.deepEqual(splitUstarPath('a/b.json'), { name: 'a/b.json', prefix: '' });
  const p150 = `${'d'.repeat(80)}/${'e'.repeat(69)}`;
  t.deepEqual(splitUstarPath(p150), { name: 'e'.repeat(69), prefix: 'd'.repeat(80) });
  t.is(splitUstarPath(`a/${'f'.repeat(120)}`), undefined);
  t.is(splitUstarPath('ünï.json'), undefined);
  for (const v of ['x', 'y'.repeat(94), 'z'.repeat(95), 'w'.repeat(994), 'w'.repeat(995)]) {
    const rec = paxRecord('path', v);
    t.is(Buffer.byteLength(rec), Number(rec.split(' ')[0]), `record length for ${v.length}`);
  }
});

test('GNU tar reads what we write, and we read what GNU tar writes', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'skiff-tar-'));
  try {
    const gz = await gzTarball([item('pods', '', 'p', 'ns'), item('widgets', 'example.com', longName, 'app')]);
    writeFileSync(path.join(dir, 'ours.tar.gz'), gz);
    const listed = execFileSync('tar', ['-tzf', path.join(dir, 'ours.tar.gz')], { encoding: 'utf8' }).trim().split('\n');
    t.deepEqual(listed, [...(await entries(gz)).keys()]);
    const content = execFileSync('tar', ['-xzOf', path.join(dir, 'ours.tar.gz'), `resources/widgets.example.com/namespaces/app/${longName}.json`], { encoding: 'utf8' });
    t.is((JSON.parse(content) as { metadata: { name: string } }).metadata.name, longName);

    const src = path.join(dir, 'src');
    const deep = path.join('resources', 'x'.repeat(90), 'y'.repeat(90));
    mkdirSync(path.join(src, deep), { recursive: true });
    writeFileSync(path.join(src, deep, `${'z'.repeat(120)}.json`), '{"a":1}');
    writeFileSync(path.join(src, 'small.json'), '{}');
    // (plain ustar cannot hold the 120-character file name)
    for (const format of ['gnu', 'pax']) {
      const out = path.join(dir, `${format}.tar`);
      execFileSync('tar', [`--format=${format}`, '-cf', out, '-C', src, '.']);
      const files = new Map<string, string>();
      for await (const e of readTar(Readable.from([readFileSync(out)]))) files.set(e.path, e.data.toString());
      t.is(files.get(`./${deep}/${'z'.repeat(120)}.json`), '{"a":1}', format);
      t.is(files.get('./small.json'), '{}', format);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a damaged header is an Integrity error; a truncated archive too', async (t) => {
  const pt = new PassThrough();
  const chunks: Buffer[] = [];
  pt.on('data', (c: Buffer) => chunks.push(c));
  const w = new TarWriter(pt);
  await w.add('a.json', Buffer.from('{"x":1}'));
  await w.finish();
  const tar = Buffer.concat(chunks);
  const bad = Buffer.from(tar);
  bad[10] = 0x41;
  const read = async (b: Buffer): Promise<void> => {
    for await (const _ of readTar(Readable.from([b]))) void _;
  };
  const e1 = await t.throwsAsync(read(bad));
  t.true(isCode(e1, 'Integrity'));
  const e2 = await t.throwsAsync(read(tar.subarray(0, 700)));
  t.true(isCode(e2, 'Integrity'));
  await t.notThrowsAsync(read(tar));
});

test('the writer waits for the sink to drain (bounded memory) and stops when aborted', async (t) => {
  const sink = new PassThrough({ highWaterMark: 4096 });
  const ac = new AbortController();
  const w = new TarWriter(sink, { signal: ac.signal });
  let added = 0;
  const writing = (async () => {
    for (let i = 0; i < 1000; i++) {
      await w.add(`f${i}.json`, Buffer.alloc(1000, 1));
      added++;
    }
  })();
  await new Promise((r) => setTimeout(r, 50));
  t.true(added < 20, `writer ran ahead of a stalled sink: ${added} entries`);
  t.true(sink.writableLength < 64 * 1024);
  ac.abort(new Error('upload failed'));
  const err = await t.throwsAsync(writing);
  t.regex(err?.message ?? '', /upload failed|aborted/);
});

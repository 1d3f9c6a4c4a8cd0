import test from 'ava';
import { isCode } from '../errors/errors.ts';
import { decodeSnapshot, encodeSnapshot, type Snapshot } from './snapshot.ts';

const TREE = 'c7dbb857a76e21a76ba5e712f68bd00886c92e446a8a859a77350e46dd23322b';
const SPEC =
  '{"time":"2024-01-02T03:04:06.5+01:00","tree":"c7dbb857a76e21a76ba5e712f68bd00886c92e446a8a859a77350e46dd23322b","paths":["/home/spec/hello.txt"],"hostname":"example","username":"spec","uid":1000,"gid":1000}';

test('reproduces the §12 snapshot JSON exactly', (t) => {
  const s: Snapshot = { time: '2024-01-02T03:04:06.5+01:00', tree: TREE, paths: ['/home/spec/hello.txt'], hostname: 'example', username: 'spec', uid: 1000, gid: 1000 };
  const bytes = encodeSnapshot(s);
  t.is(bytes.toString(), SPEC);
  t.deepEqual(decodeSnapshot(bytes), s);
});

test('omitempty fields are left out and newer fields come last in restic order', (t) => {
  const s: Snapshot = {
    time: '2024-01-02T03:04:06Z',
    parent: 'a'.repeat(64),
    tree: TREE,
    paths: [],
    uid: 0,
    excludes: [],
    tags: ['daily', '<x>'],
    original: 'b'.repeat(64),
    programVersion: 'skiff 0.1.0',
    summary: {
      backupStart: '2024-01-02T03:04:05Z',
      backupEnd: '2024-01-02T03:04:06Z',
      filesNew: 1,
      filesChanged: 2,
      filesUnmodified: 3,
      dirsNew: 4,
      dirsChanged: 5,
      dirsUnmodified: 6,
      dataBlobs: 7,
      treeBlobs: 8,
      dataAdded: 9,
      dataAddedPacked: 10,
      totalFilesProcessed: 11,
      totalBytesProcessed: 12,
    },
  };
  const json = encodeSnapshot(s).toString();
  t.is(
    json,
    `{"time":"2024-01-02T03:04:06Z","parent":"${'a'.repeat(64)}","tree":"${TREE}","paths":[],"tags":["daily","\\u003cx\\u003e"],"original":"${'b'.repeat(64)}","program_version":"skiff 0.1.0","summary":{"backup_start":"2024-01-02T03:04:05Z","backup_end":"2024-01-02T03:04:06Z","files_new":1,"files_changed":2,"files_unmodified":3,"dirs_new":4,"dirs_changed":5,"dirs_unmodified":6,"data_blobs":7,"tree_blobs":8,"data_added":9,"data_added_packed":10,"total_files_processed":11,"total_bytes_processed":12}}`,
  );
  const back = decodeSnapshot(json);
  t.deepEqual(back.summary, s.summary);
  t.deepEqual(back.tags, s.tags);
  t.is(encodeSnapshot(back).toString(), json);
});

test('decoding needs a tree and well-formed fields; unknown fields are ignored', (t) => {
  for (const bad of ['{"time":"2024-01-02T03:04:06Z","paths":[]}', '{"tree":"abc"}', `{"tree":"${TREE}","time":"now"}`, `{"tree":"${TREE}","uid":-1}`, '[', 'null']) {
    const err = t.throws(() => decodeSnapshot(bad), undefined, bad);
    t.true(isCode(err, 'Integrity'), bad);
  }
  t.regex(t.throws(() => decodeSnapshot('{"paths":[]}'))?.message ?? '', /no tree/);
  const s = decodeSnapshot(`{"time":"2024-01-02T03:04:06Z","tree":"${TREE.toUpperCase()}","paths":null,"future":{"x":1}}`);
  t.deepEqual(s, { time: '2024-01-02T03:04:06Z', tree: TREE, paths: [] });
});

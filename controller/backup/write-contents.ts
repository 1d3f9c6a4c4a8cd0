/**
 * Streams the collected items into `<name>.tar.gz` in object storage: collect → tar → gzip →
 * upload run together with backpressure, so memory stays bounded by one list page and the
 * upload's buffers. A failed upload stops collection at once; a failed collection aborts the
 * upload. Errors come out as `ContentsFailure` saying which side failed.
 */
import { createGzip } from 'node:zlib';
import type { BackupSpec } from '../../crds/index.ts';
import type { ObjectStore } from '../runtime/index.ts';
import type { ClusterReader } from './cluster-reader.ts';
import { type CollectLog, type CollectedItem, collectResources } from './collect.ts';
import { TarballWriter } from './tarball.ts';

export class ContentsFailure extends Error {
  readonly side: 'storage' | 'cluster';
  constructor(side: 'storage' | 'cluster', cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'ContentsFailure';
    this.side = side;
  }
}

export interface WriteContentsInput {
  readonly key: string;
  readonly spec: BackupSpec;
  readonly reader: ClusterReader;
  readonly store: ObjectStore;
  readonly log: CollectLog;
  readonly signal: AbortSignal;
  readonly mtimeSeconds: number;
  /** called after each item is in the tarball */
  readonly onItem: (item: CollectedItem) => void;
}

export async function writeContents(input: WriteContentsInput): Promise<void> {
  const gzip = createGzip();
  const uploadFailed = new AbortController();
  let uploadError: unknown;
  // never rejects: a rejection is recorded and stops the producer through the signal
  const upload = input.store.put(input.key, gzip, { contentType: 'application/gzip' }).then(
    () => undefined,
    (err: unknown) => {
      uploadError = err ?? new Error('upload failed');
      uploadFailed.abort(uploadError);
    },
  );
  const signal = AbortSignal.any([input.signal, uploadFailed.signal]);
  try {
    const tar = new TarballWriter(gzip, { mtimeSeconds: input.mtimeSeconds, signal });
    for await (const item of collectResources(input.reader, input.spec, input.log, { signal })) {
      await tar.add(item);
      input.onItem(item);
    }
    await tar.finish();
    gzip.end();
  } catch (err) {
    // the upload failing first is what stopped the producer; otherwise the producer failed
    const uploadFirst = uploadError !== undefined;
    gzip.destroy(err instanceof Error ? err : new Error(String(err)));
    await upload;
    if (uploadFirst) throw new ContentsFailure('storage', uploadError);
    throw new ContentsFailure('cluster', err);
  }
  await upload;
  if (uploadError !== undefined) throw new ContentsFailure('storage', uploadError);
}

/** Reads one file, chunks it with the repository's FastCDC parameters, and stores its blobs. */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { chunkFile, type ChunkerParams } from '../chunker/index.ts';
import type { Repository } from '../repo/repository.ts';

export interface SavedFile {
  readonly content: string[];
  readonly size: number;
  readonly addedBytes: number;
  readonly newBlobs: number;
}

export async function saveFileContent(
  repo: Repository,
  path: Buffer,
  params: ChunkerParams,
  opts: { signal?: AbortSignal; onBytes?: (n: number) => void },
): Promise<SavedFile> {
  const fh = await open(path, 'r');
  try {
    const content: string[] = [];
    let size = 0;
    let addedBytes = 0;
    let newBlobs = 0;
    for await (const chunk of chunkFile(fh, params, opts.signal ? { signal: opts.signal } : {})) {
      const id = createHash('sha256').update(chunk.data).digest();
      const saved = await repo.saveBlob('data', chunk.data, { id });
      content.push(id.toString('hex'));
      size += chunk.data.length;
      if (saved.added) {
        addedBytes += saved.storedBytes;
        newBlobs++;
      }
      opts.onBytes?.(chunk.data.length);
    }
    return { content, size, addedBytes, newBlobs };
  } finally {
    await fh.close();
  }
}

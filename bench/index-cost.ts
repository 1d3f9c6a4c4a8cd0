/**
 * The in-memory index's cost per blob, measured on a repository the benchmark wrote: open it in
 * this process, load every index file, and divide `MasterIndex.memoryBytes` by the blob count.
 */
import { openRepository, openStorage } from '../repository/index.ts';
import { PASSWORD } from './tools.ts';

export interface IndexCost {
  readonly blobs: number;
  readonly packs: number;
  readonly bytes: number;
  readonly bytesPerBlob: number;
}

export async function indexCost(url: string, env: NodeJS.ProcessEnv): Promise<IndexCost> {
  const repo = await openRepository(openStorage(url, { env }), PASSWORD, { workers: 0 });
  await repo.loadIndex();
  const blobs = repo.index.size;
  const bytes = repo.index.memoryBytes;
  return { blobs, packs: repo.index.packCount, bytes, bytesPerBlob: blobs ? bytes / blobs : NaN };
}

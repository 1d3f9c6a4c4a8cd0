/**
 * Micro-benchmark of the FastCDC cut-point search: `node bench/chunker.ts [MiB]` (Node 24).
 * Chunks 256 MiB (default) of random data with findCut three times and prints the best rate.
 * "input" counts every byte chunked; "hashed" leaves out the `min` bytes per chunk that
 * cut-point skipping never looks at, i.e. it is the speed of the gear-hash loop itself.
 */
import { randomFillSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { findCut, makeChunkerParams } from '../repository/chunker/index.ts';

const mib = Number(process.argv[2] ?? 256);
const size = mib * 1024 * 1024;
const data = new Uint8Array(size);
for (let at = 0; at < size; at += 1 << 26) randomFillSync(data, at, Math.min(1 << 26, size - at));
const params = makeChunkerParams(randomFillSync(new Uint8Array(32)));

function run(): { seconds: number; chunks: number } {
  const t0 = performance.now();
  let chunks = 0;
  for (let start = 0; start < size; chunks++) {
    const cut = findCut(params, data, start, size);
    start += cut < 0 ? size - start : cut;
  }
  return { seconds: (performance.now() - t0) / 1000, chunks };
}

let best = { seconds: Infinity, chunks: 0 };
for (let round = 0; round < 3; round++) {
  const r = run();
  if (r.seconds < best.seconds) best = r;
}
const hashed = size - best.chunks * params.min;
const rate = (bytes: number): string => `${(bytes / 1e6 / best.seconds).toFixed(0)} MB/s`;
console.log(
  `findCut over ${mib} MiB random data, best of 3 (${process.version}): ` +
    `input ${rate(size)}, hashed ${rate(hashed)}, ${best.chunks} chunks, mean ${(size / best.chunks / 1024).toFixed(0)} KiB`,
);

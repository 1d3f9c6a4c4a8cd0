/**
 * The benchmark data sets, generated deterministically (same bytes on every run and machine):
 *   (a) large incompressible files: 8 x 128 MiB
 *   (b) small text files: 50,000 in 100 directories, 256 B - 16 KiB (log-uniform), compressible
 *   (c) one 1 GiB "disk image": 4 MiB regions of zeros, repeats of earlier content, text, random
 *   (d) a second version of (a)+(b), made by mutate.ts
 * `scale` multiplies counts (and the image size); `quick` shrinks everything for a smoke run.
 * Generation is skipped when `manifest.json` in the target says the same parameters.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { Prng, textCorpus } from './prng.ts';

export interface DataSpec {
  readonly largeFiles: number;
  readonly largeSize: number;
  readonly smallFiles: number;
  readonly smallDirs: number;
  readonly imageSize: number;
}

export interface DataSets {
  readonly spec: DataSpec;
  /** directory holding a/ and b/ */
  readonly v1: string;
  readonly image: string;
  /** bytes of (a)+(b) */
  readonly v1Bytes: number;
  readonly v1Files: number;
}

const MiB = 1024 * 1024;

export function specFor(opts: { quick: boolean; scale: number }): DataSpec {
  const s = opts.scale;
  const base = opts.quick
    ? { largeFiles: 8, largeSize: 8 * MiB, smallFiles: 2000, smallDirs: 20, imageSize: 64 * MiB }
    : { largeFiles: 8, largeSize: 128 * MiB, smallFiles: 50_000, smallDirs: 100, imageSize: 1024 * MiB };
  return {
    largeFiles: Math.max(1, Math.round(base.largeFiles * s)),
    largeSize: base.largeSize,
    smallFiles: Math.max(1, Math.round(base.smallFiles * s)),
    smallDirs: Math.max(1, Math.round(base.smallDirs * s)),
    imageSize: Math.max(4 * MiB, Math.round((base.imageSize * s) / (4 * MiB)) * 4 * MiB),
  };
}

/** Path of small file `i`, relative to the data set root (v1 or a copy of it). */
export function smallPath(i: number, spec: DataSpec): string {
  return path.join('b', `dir-${String(i % spec.smallDirs).padStart(4, '0')}`, `f${String(i).padStart(7, '0')}.txt`);
}

/** Size of small file `i`: log-uniform in [256 B, 16 KiB). */
function smallSize(prng: Prng): number {
  return Math.floor(256 * Math.pow(64, prng.float()));
}

export async function generate(root: string, spec: DataSpec, log: (s: string) => void): Promise<DataSets> {
  const manifest = path.join(root, 'manifest.json');
  const v1 = path.join(root, 'v1');
  const image = path.join(root, 'c', 'disk.img');
  if (existsSync(manifest)) {
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { spec: DataSpec; v1Bytes: number; v1Files: number };
    if (JSON.stringify(m.spec) === JSON.stringify(spec)) return { spec, v1, image, v1Bytes: m.v1Bytes, v1Files: m.v1Files };
  }
  rmSync(root, { recursive: true, force: true });
  mkdirSync(path.join(v1, 'a'), { recursive: true });
  mkdirSync(path.dirname(image), { recursive: true });
  let bytes = 0;
  log(`generating (a) ${spec.largeFiles} x ${spec.largeSize / MiB} MiB`);
  for (let i = 0; i < spec.largeFiles; i++) {
    const prng = new Prng(`a/${i}`);
    const buf = Buffer.allocUnsafe(8 * MiB);
    const fh = await open(path.join(v1, 'a', `large-${i}.bin`), 'w');
    for (let at = 0; at < spec.largeSize; at += buf.length) {
      const n = Math.min(buf.length, spec.largeSize - at);
      prng.fill(buf.subarray(0, n));
      await fh.write(buf, 0, n, at);
    }
    await fh.close();
    bytes += spec.largeSize;
  }
  log(`generating (b) ${spec.smallFiles} small files in ${spec.smallDirs} directories`);
  bytes += writeSmallFiles(v1, spec);
  log(`generating (c) ${spec.imageSize / MiB} MiB disk image`);
  await writeImage(image, spec.imageSize);
  const files = spec.largeFiles + spec.smallFiles;
  writeFileSync(manifest, JSON.stringify({ spec, v1Bytes: bytes, v1Files: files }));
  return { spec, v1, image, v1Bytes: bytes, v1Files: files };
}

let corpus: Buffer | undefined;

/** The shared text the small files are cut from (8 MiB, fixed). */
export function smallCorpus(): Buffer {
  return (corpus ??= textCorpus(new Prng('corpus'), 8 * MiB));
}

/** Contents of small file `i` in version `version` (1, or 2 for a changed file). */
export function smallContent(i: number, version: number, prng: Prng): Buffer {
  const text = smallCorpus();
  const size = smallSize(prng);
  const header = Buffer.from(`file ${i} version ${version}\n`);
  const at = prng.int(text.length - size);
  return Buffer.concat([header, text.subarray(at, at + Math.max(0, size - header.length))]);
}

function writeSmallFiles(root: string, spec: DataSpec): number {
  const prng = new Prng('b');
  const made = new Set<string>();
  let bytes = 0;
  for (let i = 0; i < spec.smallFiles; i++) {
    const file = path.join(root, smallPath(i, spec));
    const d = path.dirname(file);
    if (!made.has(d)) {
      mkdirSync(d, { recursive: true });
      made.add(d);
    }
    const content = smallContent(i, 1, prng);
    writeFileSync(file, content);
    bytes += content.length;
  }
  return bytes;
}

/** 4 MiB regions: 30 % zeros, 25 % a repeat of earlier content (any offset), 15 % text, 30 % random. */
async function writeImage(file: string, size: number): Promise<void> {
  const prng = new Prng('c');
  const region = 4 * MiB;
  const text = textCorpus(new Prng('c-text'), region);
  const buf = Buffer.allocUnsafe(region);
  const fh = await open(file, 'w+');
  for (let at = 0; at < size; at += region) {
    const r = prng.float();
    if (r < 0.3) buf.fill(0);
    else if (r < 0.55 && at >= region) await fh.read(buf, 0, region, prng.int(at - region));
    else if (r < 0.7) text.copy(buf);
    else prng.fill(buf);
    await fh.write(buf, 0, region, at);
  }
  await fh.close();
}

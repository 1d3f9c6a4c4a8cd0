import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { BROKEN_APISERVERS, KUBE_BINARIES, compressedAssetsProblem, parseSha256Sums } from './assets.ts';

// The harness's asset checks, without starting anything.

const good = 'a'.repeat(64);

async function assetsDir(sums: string, files: readonly string[]): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'skiff-assets-'));
  await writeFile(path.join(dir, 'SHA256SUMS'), sums);
  for (const f of files) await writeFile(path.join(dir, f), '');
  return dir;
}

test('parseSha256Sums reads sha256sum output in text and binary mode', (t) => {
  const sums = parseSha256Sums(`${good}  kube-apiserver\n${'b'.repeat(64)} *kube-scheduler\nnot a line\n`);
  t.deepEqual([...sums], [
    ['kube-apiserver', good],
    ['kube-scheduler', 'b'.repeat(64)],
  ]);
});

test('compressedAssetsProblem: complete build is fine, missing files and known-broken builds are named', async (t) => {
  const xz = KUBE_BINARIES.map((b) => `${b}.xz`);
  const ok = await assetsDir(`${good}  kube-apiserver\n`, xz);
  const partial = await assetsDir(`${good}  kube-apiserver\n`, xz.slice(1));
  const [broken] = [...BROKEN_APISERVERS.keys()];
  const bad = await assetsDir(`${broken ?? ''}  kube-apiserver\n`, xz);
  try {
    t.is(compressedAssetsProblem(ok), undefined);
    t.regex(compressedAssetsProblem(partial) ?? '', /lacks kube-apiserver\.xz/);
    t.regex(compressedAssetsProblem(bad) ?? '', /known broken.*build-kube\.sh/);
  } finally {
    await Promise.all([ok, partial, bad].map((d) => rm(d, { recursive: true, force: true })));
  }
});

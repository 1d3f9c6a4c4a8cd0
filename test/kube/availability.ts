import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { KUBE_BINARIES, compressedAssetsDir, compressedAssetsProblem, etcdBinary } from './assets.ts';

export type Availability = { ok: true } | { ok: false; why: string };

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): boolean {
  return (process.env['PATH'] ?? '').split(path.delimiter).some((dir) => dir !== '' && executable(path.join(dir, name)));
}

/** Whether the real control plane can be started here; cheap and synchronous (no decompression). */
export function kubeAvailable(): Availability {
  const etcd = etcdBinary();
  if (!executable(etcd)) return { ok: false, why: `no etcd at ${etcd} (apt-get install etcd-server, or set ETCD_BIN)` };
  const given = process.env['KUBE_ASSETS'];
  if (given !== undefined && given !== '') {
    const missing = KUBE_BINARIES.filter((b) => !executable(path.join(given, b)));
    return missing.length === 0 ? { ok: true } : { ok: false, why: `KUBE_ASSETS=${given} lacks ${missing.join(', ')}` };
  }
  if (!onPath('xz')) return { ok: false, why: 'no xz on PATH (apt-get install xz-utils)' };
  const problem = compressedAssetsProblem(compressedAssetsDir());
  return problem === undefined ? { ok: true } : { ok: false, why: problem };
}

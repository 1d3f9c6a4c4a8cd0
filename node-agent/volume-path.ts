/**
 * Where the kubelet keeps a pod's volume on the host:
 *   <hostPods>/<podUID>/volumes/<escaped plugin>/<dir>
 * with <dir> the volume name for pod volumes (emptyDir, nfs, ...), `<name>/mount` for inline CSI,
 * the PV name for in-tree PVs, and `<pvName>/mount` for CSI PVs. Exactly one match, or a clear error.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { SkiffError } from '../repository/index.ts';

export type VolumeSource =
  | { readonly kind: 'pod'; readonly volumeName: string; readonly csi: boolean }
  | { readonly kind: 'pv'; readonly pvName: string; readonly csi: boolean };

export function volumeDir(src: VolumeSource): string {
  const base = src.kind === 'pod' ? src.volumeName : src.pvName;
  return src.csi ? path.join(base, 'mount') : base;
}

export async function resolveVolumePath(hostPods: string, podUid: string, src: VolumeSource): Promise<string> {
  if (!/^[0-9a-zA-Z-]+$/.test(podUid)) throw new SkiffError('Config', `invalid pod UID "${podUid}"`);
  const dir = volumeDir(src);
  if (dir.split('/').some((p) => p === '..' || p === '')) throw new SkiffError('Config', `invalid volume directory "${dir}"`);
  const volumes = path.join(hostPods, podUid, 'volumes');
  let plugins: string[];
  try {
    plugins = await readdir(volumes);
  } catch {
    throw new SkiffError('NotFound', `no volumes for pod ${podUid} under ${hostPods} (is the pod running on this node, and is the host's pods directory mounted?)`);
  }
  const matches: string[] = [];
  for (const plugin of plugins) {
    const candidate = path.join(volumes, plugin, dir);
    const st = await stat(candidate).catch(() => undefined);
    if (st?.isDirectory()) matches.push(candidate);
  }
  if (matches.length !== 1) {
    throw new SkiffError(
      matches.length === 0 ? 'NotFound' : 'Conflict',
      `expected one directory ${path.join(volumes, '*', dir)}, found ${matches.length}${matches.length ? ': ' + matches.join(', ') : ''}`,
    );
  }
  return matches[0]!;
}

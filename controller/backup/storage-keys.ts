/**
 * Object keys of one backup under a location's prefix (architecture.md, "Object storage layout").
 * `skiff-backup.json` is written last: a prefix without it is an unfinished backup that sync
 * ignores and recovery removes.
 */
import { gunzipSync, gzipSync } from 'node:zlib';

export interface BackupKeys {
  /** `backups/<name>/` */
  readonly dir: string;
  /** the Backup object as plain JSON, not gzip'd */
  readonly metadata: string;
  readonly contents: string;
  readonly logs: string;
  readonly results: string;
  readonly resourceList: string;
  readonly podVolumeBackups: string;
}

export function backupKeys(name: string): BackupKeys {
  const dir = `backups/${name}/`;
  return {
    dir,
    metadata: `${dir}skiff-backup.json`,
    contents: `${dir}${name}.tar.gz`,
    logs: `${dir}${name}-logs.gz`,
    results: `${dir}${name}-results.json.gz`,
    resourceList: `${dir}${name}-resource-list.json.gz`,
    podVolumeBackups: `${dir}${name}-podvolumebackups.json.gz`,
  };
}

export function gzipJson(value: unknown): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(value)));
}

export function gunzipJson(data: Buffer): unknown {
  return JSON.parse(gunzipSync(data).toString('utf8'));
}

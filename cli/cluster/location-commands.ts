/** `skiff backup-location create|get|set|delete` (BackupStorageLocation, short name bsl). */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ACCESS_MODES, API_VERSION, type BackupStorageLocation, PLURALS } from '../../crds/index.ts';
import { SkiffError } from '../../repository/index.ts';
import { namespaceOf } from './backup-create.ts';
import { metaFrom } from './backup-spec.ts';
import type { ClusterClient, ClusterFlags } from './client.ts';
import { type ClusterContext, client, requireConfirmation } from './context.ts';
import { fetchNamed, targets } from './fetch.ts';
import { goDuration, keyValues, oneOf, outputFormat, withClusterFlags, withOutput } from './flags.ts';
import { formatObject, formatTime, printObjects } from './print.ts';

interface LocationFlags extends ClusterFlags {
  provider?: string;
  bucket?: string;
  prefix?: string;
  config?: Record<string, string>;
  credential?: Record<string, string>;
  accessMode?: string;
  default?: boolean;
  backupSyncPeriod?: string;
  validationFrequency?: string;
  cacert?: string;
  labels?: Record<string, string>;
  output?: string;
}

/** --credential secret=key: exactly one pair. */
function credential(m: Record<string, string> | undefined): { name: string; key: string } | undefined {
  if (m === undefined) return undefined;
  const pairs = Object.entries(m);
  if (pairs.length !== 1) throw new SkiffError('Config', '--credential takes exactly one secret=key pair');
  return { name: pairs[0]![0], key: pairs[0]![1] };
}

async function caCert(file: string | undefined): Promise<string | undefined> {
  return file === undefined ? undefined : (await readFile(file)).toString('base64');
}

export async function locationFrom(name: string, namespace: string, o: LocationFlags): Promise<BackupStorageLocation> {
  if (o.bucket === undefined || o.bucket === '') throw new SkiffError('Config', '--bucket is required');
  const provider = o.provider ?? 'aws';
  if (provider !== 'aws') throw new SkiffError('Config', `provider ${provider} is not supported: use aws (Amazon S3 and S3-compatible stores)`);
  const cred = credential(o.credential);
  const ca = await caCert(o.cacert);
  return {
    apiVersion: API_VERSION,
    kind: 'BackupStorageLocation',
    metadata: metaFrom(name, namespace, o),
    spec: {
      provider,
      objectStorage: { bucket: o.bucket, ...(o.prefix !== undefined ? { prefix: o.prefix } : {}), ...(ca !== undefined ? { caCert: ca } : {}) },
      ...(o.config !== undefined ? { config: o.config } : {}),
      ...(cred !== undefined ? { credential: cred } : {}),
      accessMode: oneOf(o.accessMode ?? 'ReadWrite', ACCESS_MODES, 'access-mode'),
      default: o.default === true,
      ...(o.backupSyncPeriod !== undefined ? { backupSyncPeriod: goDuration(o.backupSyncPeriod, 'backup-sync-period') } : {}),
      ...(o.validationFrequency !== undefined ? { validationFrequency: goDuration(o.validationFrequency, 'validation-frequency') } : {}),
    },
  };
}

/** There is one default location: clear the flag on every other one. */
async function clearOtherDefaults(ctx: ClusterContext, c: ClusterClient, keep: string): Promise<void> {
  for (const l of await c.list<BackupStorageLocation>(PLURALS.BackupStorageLocation)) {
    const n = l.metadata.name ?? '';
    if (n !== keep && l.spec.default === true) {
      await c.patch(PLURALS.BackupStorageLocation, n, { spec: { default: false } });
      ctx.out.line(`Backup storage location "${n}" is no longer the default.`);
    }
  }
}

export const LOCATION_HEADER = ['NAME', 'PROVIDER', 'BUCKET/PREFIX', 'PHASE', 'LAST VALIDATED', 'ACCESS MODE', 'DEFAULT'];

export function locationRow(l: BackupStorageLocation): string[] {
  const os = l.spec.objectStorage;
  return [
    l.metadata.name ?? '',
    l.spec.provider,
    os.prefix ? `${os.bucket}/${os.prefix}` : os.bucket,
    l.status?.phase ?? 'Unknown',
    formatTime(l.status?.lastValidationTime),
    l.spec.accessMode ?? 'ReadWrite',
    l.spec.default === true ? 'true' : '',
  ];
}

function locationFlags(cmd: Command): Command {
  return cmd
    .option('--credential <secret=key>', 'Secret and key holding an AWS credentials file', keyValues)
    .option('--cacert <file>', 'PEM CA bundle for the store')
    .option('--access-mode <mode>', 'ReadWrite or ReadOnly')
    .option('--default', 'make this the default location');
}

export function registerBackupLocation(program: Command, ctx: ClusterContext): void {
  const bl = program.command('backup-location').description('work with backup storage locations');
  const create = bl
    .command('create')
    .description('create a backup storage location')
    .argument('<name>')
    .option('--provider <name>', 'object store provider (aws: S3 and S3-compatible)', 'aws')
    .option('--bucket <bucket>', 'bucket name')
    .option('--prefix <prefix>', 'path inside the bucket')
    .option('--config <k=v,...>', 'provider config: region, s3Url, s3ForcePathStyle, insecureSkipTLSVerify', keyValues)
    .option('--backup-sync-period <duration>', 'how often to sync backups from object storage')
    .option('--validation-frequency <duration>', 'how often to validate the location')
    .option('--labels <k=v,...>', 'labels', keyValues);
  withClusterFlags(withOutput(locationFlags(create), 'print the location as json or yaml instead of creating it')).action(async (name: string, o: LocationFlags) => {
    const format = o.output === undefined ? undefined : outputFormat(o.output);
    if (format === 'table') throw new SkiffError('Config', '-o table is not supported by create: use json or yaml');
    const obj = await locationFrom(name, namespaceOf(ctx, o), o);
    if (format !== undefined) return void ctx.out.line(formatObject(obj, format));
    const c = client(ctx, o);
    await c.create(PLURALS.BackupStorageLocation, obj);
    if (o.default === true) await clearOtherDefaults(ctx, c, name);
    ctx.out.line(`Backup storage location "${name}" configured successfully.`);
  });

  const get = bl.command('get').description('list backup storage locations').argument('[names...]');
  get.option('-l, --selector <selector>', 'label selector').option('--default', 'only the default location');
  withClusterFlags(withOutput(get)).action(async (names: string[], o: ClusterFlags & { selector?: string; output?: string; default?: boolean }) => {
    let items = await fetchNamed<BackupStorageLocation>(client(ctx, o), PLURALS.BackupStorageLocation, names, o.selector);
    if (o.default === true) items = items.filter((l) => l.spec.default === true);
    printObjects(ctx.out, outputFormat(o.output), items, { header: LOCATION_HEADER, row: locationRow, single: names.length === 1 });
  });

  const set = locationFlags(bl.command('set').description('change a backup storage location').argument('<name>'));
  withClusterFlags(set).action(async (name: string, o: LocationFlags) => {
    const c = client(ctx, o);
    if ((await c.get(PLURALS.BackupStorageLocation, name)) === undefined) {
      throw new SkiffError('NotFound', `backup storage location ${name} not found in namespace ${c.namespace}`);
    }
    const cred = credential(o.credential);
    const ca = await caCert(o.cacert);
    const spec = {
      ...(o.default === true ? { default: true } : {}),
      ...(cred !== undefined ? { credential: cred } : {}),
      ...(ca !== undefined ? { objectStorage: { caCert: ca } } : {}),
      ...(o.accessMode !== undefined ? { accessMode: oneOf(o.accessMode, ACCESS_MODES, 'access-mode') } : {}),
    };
    if (Object.keys(spec).length === 0) throw new SkiffError('Config', 'nothing to set: give --default, --credential, --cacert or --access-mode');
    await c.patch(PLURALS.BackupStorageLocation, name, { spec });
    if (o.default === true) await clearOtherDefaults(ctx, c, name);
    ctx.out.line(`Backup storage location "${name}" configured successfully.`);
  });

  const del = bl
    .command('delete')
    .description('delete backup storage locations (the data in the store stays)')
    .argument('[names...]')
    .option('--confirm', 'do not ask for confirmation')
    .option('--all', 'delete all locations')
    .option('-l, --selector <selector>', 'delete locations with these labels');
  withClusterFlags(del).action(async (names: string[], o: ClusterFlags & { confirm?: boolean; all?: boolean; selector?: string }) => {
    const c = client(ctx, o);
    const list = await targets(c, PLURALS.BackupStorageLocation, names, o);
    if (list.length > 0) await requireConfirmation(ctx, o.confirm, `Delete backup storage location(s) ${list.join(', ')}`, '--confirm');
    for (const n of list) {
      await c.delete(PLURALS.BackupStorageLocation, n);
      ctx.out.line(`Backup storage location "${n}" deleted successfully.`);
    }
  });
}

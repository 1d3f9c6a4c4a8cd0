/** `skiff restore create|get|describe|logs|delete`. */
import { gunzipSync } from 'node:zlib';
import type { Command } from 'commander';
import { API_VERSION, EXISTING_RESOURCE_POLICIES, PLURALS, type Restore, type RestoreSpec } from '../../crds/index.ts';
import { SkiffError } from '../../repository/index.ts';
import { namespaceOf } from './backup-create.ts';
import { metaFrom, timestampedName } from './backup-spec.ts';
import type { ClusterFlags } from './client.ts';
import { type ClusterContext, client, requireConfirmation } from './context.ts';
import { describeRestore } from './describe.ts';
import { downloadTarget } from './download.ts';
import { fetchNamed, fetchOptions, targets } from './fetch.ts';
import { csv, keyValues, namespaceMappings, oneOf, optionalBool, outputFormat, withClusterFlags, withOutput } from './flags.ts';
import { formatObject, formatTime, printObjects } from './print.ts';
import { formatLabelSelector, parseLabelSelector, parseOrSelectors } from './selector.ts';
import { waitForTerminal } from './wait.ts';

interface RestoreFlags extends ClusterFlags {
  fromBackup?: string;
  fromSchedule?: string;
  includeNamespaces?: string[];
  excludeNamespaces?: string[];
  includeResources?: string[];
  excludeResources?: string[];
  includeClusterResources?: string | boolean;
  namespaceMappings?: Record<string, string>;
  existingResourcePolicy?: string;
  selector?: string;
  orSelector?: string;
  restoreVolumes?: string | boolean;
  preserveNodeports?: string | boolean;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  wait?: boolean;
  output?: string;
}

export function restoreSpecFrom(o: RestoreFlags): RestoreSpec {
  if ((o.fromBackup === undefined) === (o.fromSchedule === undefined)) {
    throw new SkiffError('Config', 'give exactly one of --from-backup and --from-schedule');
  }
  if (o.selector !== undefined && o.orSelector !== undefined) throw new SkiffError('Config', 'use either --selector or --or-selector, not both');
  const spec: RestoreSpec = o.fromBackup !== undefined ? { backupName: o.fromBackup } : { scheduleName: o.fromSchedule! };
  if (o.includeNamespaces !== undefined) spec.includedNamespaces = o.includeNamespaces;
  if (o.excludeNamespaces !== undefined) spec.excludedNamespaces = o.excludeNamespaces;
  if (o.includeResources !== undefined) spec.includedResources = o.includeResources;
  if (o.excludeResources !== undefined) spec.excludedResources = o.excludeResources;
  const icr = optionalBool(o.includeClusterResources, 'include-cluster-resources');
  if (icr !== undefined) spec.includeClusterResources = icr;
  if (o.namespaceMappings !== undefined) spec.namespaceMapping = o.namespaceMappings;
  if (o.existingResourcePolicy !== undefined) {
    spec.existingResourcePolicy = oneOf(o.existingResourcePolicy, EXISTING_RESOURCE_POLICIES, 'existing-resource-policy');
  }
  if (o.selector !== undefined) spec.labelSelector = parseLabelSelector(o.selector);
  if (o.orSelector !== undefined) spec.orLabelSelectors = parseOrSelectors(o.orSelector);
  const pvs = optionalBool(o.restoreVolumes, 'restore-volumes');
  if (pvs !== undefined) spec.restorePVs = pvs;
  const ports = optionalBool(o.preserveNodeports, 'preserve-nodeports');
  if (ports !== undefined) spec.preserveNodePorts = ports;
  return spec;
}

export const RESTORE_HEADER = ['NAME', 'BACKUP', 'STATUS', 'STARTED', 'COMPLETED', 'ERRORS', 'WARNINGS', 'CREATED', 'SELECTOR'];

export function restoreRow(r: Restore): string[] {
  const s = r.status;
  return [
    r.metadata.name ?? '',
    r.spec.backupName ?? r.spec.scheduleName ?? '',
    s?.phase ?? 'New',
    formatTime(s?.startTimestamp),
    formatTime(s?.completionTimestamp),
    String(s?.errors ?? 0),
    String(s?.warnings ?? 0),
    formatTime(r.metadata.creationTimestamp),
    formatLabelSelector(r.spec.labelSelector),
  ];
}

function registerCreate(restore: Command, ctx: ClusterContext): void {
  const cmd = restore
    .command('create')
    .description('restore from a backup, or from the latest completed backup of a schedule')
    .argument('[name]', 'restore name (default <backup or schedule>-<timestamp>)')
    .option('--from-backup <backup>', 'backup to restore from')
    .option('--from-schedule <schedule>', 'restore from the latest completed backup of this schedule')
    .option('--include-namespaces <list>', 'namespaces to restore, comma-separated (default: all in the backup)', csv)
    .option('--exclude-namespaces <list>', 'namespaces not to restore', csv)
    .option('--include-resources <list>', 'resources to restore', csv)
    .option('--exclude-resources <list>', 'resources not to restore', csv)
    .option('--include-cluster-resources [bool]', 'restore cluster-scoped resources')
    .option('--namespace-mappings <src:dst,...>', 'restore namespace src into dst', namespaceMappings)
    .option('--existing-resource-policy <policy>', 'none (skip existing objects) or update')
    .option('-l, --selector <selector>', 'restore only objects with these labels')
    .option('--or-selector <selectors>', 'objects matching any of these selectors, joined by " or "')
    .option('--restore-volumes [bool]', 'restore persistent volumes and pod volume data')
    .option('--preserve-nodeports [bool]', "keep Services' node ports")
    .option('--labels <k=v,...>', 'labels for the Restore', keyValues)
    .option('--annotations <k=v,...>', 'annotations for the Restore', keyValues)
    .option('-w, --wait', 'wait for the restore to finish; exit non-zero unless it Completed');
  withClusterFlags(withOutput(cmd, 'print the Restore as json or yaml instead of creating it')).action(async (nameArg: string | undefined, o: RestoreFlags) => {
    const format = o.output === undefined ? undefined : outputFormat(o.output);
    if (format === 'table') throw new SkiffError('Config', '-o table is not supported by create: use json or yaml');
    const spec = restoreSpecFrom(o);
    const name = nameArg ?? timestampedName(spec.backupName ?? spec.scheduleName ?? 'restore');
    const obj: Restore = { apiVersion: API_VERSION, kind: 'Restore', metadata: metaFrom(name, namespaceOf(ctx, o), o), spec };
    if (format !== undefined) {
      ctx.out.line(formatObject(obj, format));
      return;
    }
    const c = client(ctx, o);
    await c.create(PLURALS.Restore, obj);
    ctx.out.line(`Restore request "${name}" submitted successfully.`);
    if (o.wait === true) await waitForTerminal(ctx, c, 'restore', name);
    else ctx.out.line(`Run \`skiff restore describe ${name}\` or \`skiff restore logs ${name}\` for more details.`);
  });
}

export function registerRestore(program: Command, ctx: ClusterContext): void {
  const restore = program.command('restore').description('work with restores of cluster resources');
  registerCreate(restore, ctx);

  const get = restore.command('get').description('list restores').argument('[names...]').option('-l, --selector <selector>', 'label selector');
  withClusterFlags(withOutput(get)).action(async (names: string[], o: ClusterFlags & { selector?: string; output?: string }) => {
    const items = await fetchNamed<Restore>(client(ctx, o), PLURALS.Restore, names, o.selector);
    printObjects(ctx.out, outputFormat(o.output), items, { header: RESTORE_HEADER, row: restoreRow, single: names.length === 1 });
  });

  const describe = restore.command('describe').description('show details of restores').argument('[names...]').option('-l, --selector <selector>', 'label selector');
  withClusterFlags(withOutput(describe)).action(async (names: string[], o: ClusterFlags & { selector?: string; output?: string }) => {
    const format = outputFormat(o.output);
    for (const r of await fetchNamed<Restore>(client(ctx, o), PLURALS.Restore, names, o.selector)) {
      ctx.out.line(format === 'table' ? describeRestore(r) + '\n' : formatObject(r, format));
    }
  });

  const logs = restore
    .command('logs')
    .description("print a restore's log")
    .argument('<name>')
    .option('--timeout <seconds>', 'how long to wait for the server (default 60)')
    .option('--cacert <file>', 'CA bundle for the object store')
    .option('--insecure-skip-tls-verify', 'do not verify the object store TLS certificate');
  withClusterFlags(logs).action(async (name: string, o: ClusterFlags & { timeout?: string; cacert?: string; insecureSkipTlsVerify?: boolean }) => {
    const data = await downloadTarget(ctx, client(ctx, o), { kind: 'RestoreLog', name }, await fetchOptions(o));
    ctx.out.line(gunzipSync(data).toString('utf8').trimEnd());
  });

  const del = restore
    .command('delete')
    .description('delete Restore objects (restored resources stay)')
    .argument('[names...]')
    .option('--confirm', 'do not ask for confirmation')
    .option('--all', 'delete all restores')
    .option('-l, --selector <selector>', 'delete restores with these labels');
  withClusterFlags(del).action(async (names: string[], o: ClusterFlags & { confirm?: boolean; all?: boolean; selector?: string }) => {
    const c = client(ctx, o);
    const list = await targets(c, PLURALS.Restore, names, o);
    if (list.length > 0) await requireConfirmation(ctx, o.confirm, `Delete restore(s) ${list.join(', ')}`, '--confirm');
    for (const n of list) {
      await c.delete(PLURALS.Restore, n);
      ctx.out.line(`Restore "${n}" deleted.`);
    }
  });
}

/**
 * `skiff server`: runs the controllers until SIGTERM or SIGINT, then stops cleanly (reconciles in
 * flight finish, the leader Lease is released) and exits 0. Logs are JSON lines on stdout.
 */
import type { Command } from 'commander';
import { runServer } from '../controller/server.ts';
import { LOG_LEVELS, type LogLevel, makeLogger } from '../controller/runtime/index.ts';
import { checkAddress, checkLevel, goDuration, listenAddress, nonEmpty, parseBool } from './flag-parsers.ts';
import { VERSION } from './version.ts';
import type { Out } from './output.ts';
import { stopOnSignal } from './until-signal.ts';
import type { Env } from './repo/context.ts';

interface ServerFlags {
  kubeconfig?: string;
  kubecontext?: string;
  namespace?: string;
  metricsAddress: string;
  healthAddress: string;
  leaderElect: boolean;
  logLevel: string;
  defaultVolumesToFsBackup: boolean;
  fsBackupTimeout: number;
  restorePodScheduleTimeout: number;
  image?: string;
}

export function registerServer(program: Command, e: Env, _out: Out): void {
  program
    .command('server')
    .description('run the Skiff controllers (in a pod, or on a workstation with --kubeconfig)')
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, the in-cluster service account, ~/.kube/config)')
    .option('--kubecontext <name>', 'context of the kubeconfig to use')
    .option('-n, --namespace <namespace>', 'namespace of Skiff\'s resources (env SKIFF_NAMESPACE, default skiff)')
    .option('--metrics-address <host:port>', 'where /metrics is served; "off" to disable', checkAddress, ':8085')
    .option('--health-address <host:port>', 'where /healthz and /readyz are served; "off" to disable', checkAddress, ':8086')
    .option('--leader-elect [bool]', 'run controllers only while holding the leader Lease', parseBool, true)
    .option('--log-level <level>', `one of ${LOG_LEVELS.join(', ')}`, checkLevel, 'info')
    .option('--default-volumes-to-fs-backup [bool]', 'back up every pod volume with the node agent unless excluded (backups that do not say)', parseBool, false)
    .option('--fs-backup-timeout <duration>', 'how long a backup or restore waits for its pod volumes', goDuration, 4 * 3_600_000)
    .option('--restore-pod-schedule-timeout <duration>', 'how long a restore waits for a restored pod to be scheduled', goDuration, 10 * 60_000)
    .option('--image <image>', `image of the restore-wait init container (env SKIFF_IMAGE, default skiff/skiff:${VERSION})`)
    .action(async (f: ServerFlags) => {
      const metrics = listenAddress(f.metricsAddress);
      const health = listenAddress(f.healthAddress);
      const namespace = f.namespace ?? e.env['SKIFF_NAMESPACE'] ?? 'skiff';
      const log = makeLogger({ level: f.logLevel as LogLevel, base: { component: 'server' } });
      const handle = await runServer({
        namespace,
        leaderElect: f.leaderElect,
        log,
        defaultVolumesToFsBackup: f.defaultVolumesToFsBackup,
        fsBackupTimeoutMs: f.fsBackupTimeout,
        restorePodScheduleTimeoutMs: f.restorePodScheduleTimeout,
        image: f.image ?? nonEmpty(e.env['SKIFF_IMAGE']) ?? `skiff/skiff:${VERSION}`,
        ...(f.kubeconfig === undefined ? {} : { kubeconfig: f.kubeconfig }),
        ...(f.kubecontext === undefined ? {} : { context: f.kubecontext }),
        ...(metrics === undefined ? {} : { metricsPort: metrics.port, metricsHost: metrics.host }),
        ...(health === undefined ? {} : { healthPort: health.port, healthHost: health.host }),
      });
      await stopOnSignal(log, () => handle.stop());
    });
}

/**
 * `skiff node-agent`: the DaemonSet process; runs until SIGTERM or SIGINT, then stops cleanly
 * (running work is marked Failed with the reason) and exits 0. Logs are JSON lines on stdout.
 * `skiff restore-helper <restore-uid>`: the `restore-wait` init container of restored pods.
 */
import { Option, type Command } from 'commander';
import { LOG_LEVELS, type LogLevel, makeLogger } from '../controller/runtime/index.ts';
import { checkAddress, checkLevel, goDuration, listenAddress, nonEmpty, positiveInt } from './flag-parsers.ts';
import { runNodeAgent, waitForRestores } from '../node-agent/index.ts';
import type { Out } from './output.ts';
import { stopOnSignal } from './until-signal.ts';
import type { Env } from './repo/context.ts';

interface AgentFlags {
  nodeName?: string;
  hostPodsRoot?: string;
  namespace?: string;
  kubeconfig?: string;
  kubecontext?: string;
  concurrency: number;
  scratchDir?: string;
  healthAddress: string;
  restoreWaitTimeout: number;
  progressInterval: number;
  workers?: number;
  logLevel: string;
}

export function registerNodeAgent(program: Command, e: Env, out: Out): void {
  program
    .command('node-agent')
    .description('move pod volume data for the PodVolumeBackups/Restores of this node (runs as a DaemonSet)')
    .option('--node-name <name>', 'this node (env NODE_NAME)')
    .option('--host-pods-root <dir>', "the kubelet's pods directory as mounted here (env SKIFF_HOST_PODS, default /host_pods)")
    .option('-n, --namespace <namespace>', "namespace of Skiff's resources (env SKIFF_NAMESPACE, default skiff)")
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, the in-cluster service account, ~/.kube/config)')
    .option('--kubecontext <name>', 'context of the kubeconfig to use')
    .option('--concurrency <n>', 'volumes backed up or restored at once', positiveInt, 2)
    .option('--scratch-dir <dir>', 'writable directory for local caches (env SKIFF_SCRATCH_DIR)')
    .option('--health-address <host:port>', 'where /healthz and /readyz are served; "off" to disable', checkAddress, 'off')
    .addOption(new Option('--restore-wait-timeout <duration>', "how long a restore waits for the pod's volume directory").argParser(goDuration).default(10 * 60_000, '10m'))
    .addOption(new Option('--progress-interval <duration>', 'how often progress is written to the status').argParser(goDuration).default(2000, '2s'))
    .option('--workers <n>', 'worker threads for hashing, compression and encryption (default: one per CPU)', positiveInt)
    .option('--log-level <level>', `one of ${LOG_LEVELS.join(', ')}`, checkLevel, 'info')
    .action(async (f: AgentFlags) => {
      const node = nonEmpty(f.nodeName) ?? nonEmpty(e.env['NODE_NAME']) ?? '';
      const health = listenAddress(f.healthAddress);
      const scratch = nonEmpty(f.scratchDir) ?? nonEmpty(e.env['SKIFF_SCRATCH_DIR']);
      const log = makeLogger({ level: f.logLevel as LogLevel, base: { component: 'node-agent' } });
      const agent = await runNodeAgent({
        node,
        hostPods: nonEmpty(f.hostPodsRoot) ?? nonEmpty(e.env['SKIFF_HOST_PODS']) ?? '/host_pods',
        namespace: nonEmpty(f.namespace) ?? nonEmpty(e.env['SKIFF_NAMESPACE']) ?? 'skiff',
        concurrency: f.concurrency,
        restoreWaitTimeoutMs: f.restoreWaitTimeout,
        progressIntervalMs: f.progressInterval,
        log,
        ...(f.kubeconfig === undefined ? {} : { kubeconfig: f.kubeconfig }),
        ...(f.kubecontext === undefined ? {} : { context: f.kubecontext }),
        ...(scratch === undefined ? {} : { scratchDir: scratch }),
        ...(health === undefined ? {} : { healthPort: health.port, healthHost: health.host }),
        ...(f.workers === undefined ? {} : { repoOptions: { workers: f.workers } }),
      });
      await stopOnSignal(log, () => agent.stop());
    });

  program
    .command('restore-helper')
    .description('wait until every volume under --root has its restored data (the restore-wait init container)')
    .argument('<restore-uid>', "the Restore's UID, the name of the done files")
    .addOption(new Option('--timeout <duration>', 'give up (exit non-zero) after this long').argParser(goDuration).default(4 * 3_600_000, '4h'))
    .option('--root <dir>', 'where the restored volumes are mounted', '/restores')
    .action(async (restoreUid: string, f: { timeout: number; root: string }) => {
      const pod = [e.env['POD_NAMESPACE'], e.env['POD_NAME']].filter((s) => s !== undefined && s !== '').join('/');
      out.line(`waiting for the restored data of restore ${restoreUid}${pod === '' ? '' : ` in pod ${pod}`} under ${f.root}`);
      let said = '';
      let saidAt = 0;
      const volumes = await waitForRestores({
        root: f.root,
        restoreUid,
        timeoutMs: f.timeout,
        onWaiting: (missing) => {
          const text = missing.length === 0 ? 'no volumes mounted yet' : `still waiting for: ${missing.join(', ')}`;
          if (text === said && Date.now() - saidAt < 60_000) return;
          out.line(text);
          said = text;
          saidAt = Date.now();
        },
      });
      out.line(`all ${volumes.length} volume(s) restored: ${volumes.join(', ')}`);
    });
}

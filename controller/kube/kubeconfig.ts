import { existsSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { SkiffError } from '../../repository/errors/errors.ts';

export interface KubeConfigOptions {
  /** path of a kubeconfig file (`--kubeconfig`) */
  kubeconfig?: string;
  /** context to use instead of the file's current context (`--context`) */
  context?: string;
  /** environment to read KUBECONFIG and KUBERNETES_SERVICE_HOST from; default process.env */
  env?: NodeJS.ProcessEnv;
  /** home directory for `~/.kube/config`; default os.homedir() */
  home?: string;
}

/** How a KubeConfig was found, for the startup log line. */
export type KubeConfigSource = 'flag' | 'env' | 'in-cluster' | 'home';

/**
 * Loads the client configuration the way kubectl does, with in-cluster first when running in a pod:
 * `--kubeconfig`, else `KUBECONFIG` (the first file of the list), else the service account when
 * `KUBERNETES_SERVICE_HOST` is set, else `~/.kube/config`. Throws SkiffError Config when none is found
 * or the context does not exist.
 */
export function loadKubeConfig(opts: KubeConfigOptions = {}): { kc: KubeConfig; source: KubeConfigSource } {
  const env = opts.env ?? process.env;
  const kc = new KubeConfig();
  const fromEnv = (env['KUBECONFIG'] ?? '').split(path.delimiter).find((f) => f !== '');
  let source: KubeConfigSource;
  try {
    if (opts.kubeconfig !== undefined && opts.kubeconfig !== '') {
      requireFile(opts.kubeconfig, '--kubeconfig');
      kc.loadFromFile(opts.kubeconfig);
      source = 'flag';
    } else if (fromEnv !== undefined) {
      requireFile(fromEnv, 'KUBECONFIG');
      kc.loadFromFile(fromEnv);
      source = 'env';
    } else if ((env['KUBERNETES_SERVICE_HOST'] ?? '') !== '') {
      loadInCluster(kc, env);
      source = 'in-cluster';
    } else {
      const home = path.join(opts.home ?? os.homedir(), '.kube', 'config');
      if (!existsSync(home)) {
        throw new SkiffError('Config', 'no Kubernetes configuration: use --kubeconfig, set KUBECONFIG, or run in a cluster');
      }
      kc.loadFromFile(home);
      source = 'home';
    }
  } catch (err) {
    if (err instanceof SkiffError) throw err;
    throw new SkiffError('Config', `cannot load the Kubernetes configuration: ${(err as Error).message.split('\n', 1)[0]}`, { cause: err });
  }
  if (opts.context !== undefined && opts.context !== '') {
    if (kc.getContextObject(opts.context) === null) throw new SkiffError('Config', `kubeconfig has no context ${opts.context}`);
    kc.setCurrentContext(opts.context);
  }
  if (kc.getCurrentCluster() === null) throw new SkiffError('Config', 'the Kubernetes configuration has no current cluster');
  return { kc, source };
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * The pod's service account, as client-node's loadFromCluster does but from `env`: the token file is
 * re-read on every request (bound tokens rotate), the CA is the service account's.
 */
function loadInCluster(kc: KubeConfig, env: NodeJS.ProcessEnv): void {
  const host = env['KUBERNETES_SERVICE_HOST'] ?? '';
  const port = env['KUBERNETES_SERVICE_PORT'] ?? '443';
  const server = `https://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  kc.loadFromOptions({
    clusters: [{ name: 'in-cluster', server, caFile: `${SA_DIR}/ca.crt`, skipTLSVerify: false }],
    users: [{ name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile: `${SA_DIR}/token` } } }],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster' }],
    currentContext: 'in-cluster',
  });
}

function requireFile(file: string, what: string): void {
  if (!existsSync(file)) throw new SkiffError('Config', `${what}: kubeconfig file ${file} does not exist`);
}

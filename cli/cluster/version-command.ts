/**
 * `skiff version`: the client's version, and the server's as recorded on Deployment `skiff`
 * (label app.kubernetes.io/version and its image) when the cluster is reachable.
 */
import type { Command } from 'commander';
import { NAMES } from '../../daemonset/index.ts';
import { VERSION } from '../version.ts';
import type { ClusterFlags } from './client.ts';
import { type ClusterContext, client } from './context.ts';
import { withClusterFlags } from './flags.ts';

type Deployment = {
  metadata?: { labels?: Record<string, string> };
  spec?: { template?: { spec?: { containers?: { image?: string }[] } } };
};

async function serverVersion(ctx: ClusterContext, o: ClusterFlags, timeoutMs: number): Promise<string> {
  const c = client(ctx, o);
  const read = c.read<Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: NAMES.deployment, namespace: c.namespace } });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from ${c.server} within ${timeoutMs / 1000}s`)), timeoutMs);
  });
  try {
    const d = await Promise.race([read, timeout]);
    if (d === undefined) return `<not installed in namespace ${c.namespace}>`;
    const v = d.metadata?.labels?.['app.kubernetes.io/version'] ?? 'unknown';
    const image = d.spec?.template?.spec?.containers?.[0]?.image ?? 'unknown';
    return `${v} (image ${image})`;
  } finally {
    clearTimeout(timer);
  }
}

/** Replaces the action of the existing `version` command (defined in main.ts), or adds one. */
export function registerVersion(program: Command, ctx: ClusterContext): void {
  const version = program.commands.find((c) => c.name() === 'version') ?? program.command('version').description('print the version');
  version.option('--client-only', 'only the client version').option('--timeout <seconds>', 'how long to wait for the server (default 5)');
  withClusterFlags(version).action(async (o: ClusterFlags & { clientOnly?: boolean; timeout?: string }) => {
    ctx.out.line(`skiff ${VERSION}`);
    if (o.clientOnly === true) return;
    let server: string;
    try {
      server = await serverVersion(ctx, o, Number(o.timeout ?? '5') * 1000);
    } catch (err) {
      server = `<error getting server version: ${(err as Error).message}>`;
    }
    ctx.out.line(`Server: ${server}`);
  });
}

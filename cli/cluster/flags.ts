/** Flag parsing shared by the cluster commands; values as Velero's CLI accepts them. */
import type { Command } from 'commander';
import { SkiffError } from '../../repository/index.ts';
import type { ClusterFlags } from './client.ts';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** --kubeconfig, --kubecontext, -n/--namespace on a leaf command. */
export function withClusterFlags(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'kubeconfig file (default $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--kubecontext <name>', 'kubeconfig context to use')
    .option('-n, --namespace <ns>', "Skiff's namespace (default $SKIFF_NAMESPACE or skiff)");
}

export function withOutput(cmd: Command, description = 'output format: table, json or yaml'): Command {
  return cmd.option('-o, --output <format>', description);
}

export function clusterFlags(o: ClusterFlags): ClusterFlags {
  return {
    ...(o.kubeconfig !== undefined ? { kubeconfig: o.kubeconfig } : {}),
    ...(o.kubecontext !== undefined ? { kubecontext: o.kubecontext } : {}),
    ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
  };
}

export function outputFormat(v: string | undefined, fallback: OutputFormat = 'table'): OutputFormat {
  if (v === undefined) return fallback;
  if ((OUTPUT_FORMATS as readonly string[]).includes(v)) return v as OutputFormat;
  throw new SkiffError('Config', `invalid output format ${JSON.stringify(v)}: use table, json or yaml`);
}

/** Collector for repeatable comma-separated list flags. */
export function csv(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter((s) => s !== '')];
}

/** `k=v,k2=v2` (repeatable) into a map; for --labels, --config, --backup-location-config. */
export function keyValues(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const out = { ...previous };
  for (const pair of csv(value)) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new SkiffError('Config', `invalid key=value pair ${JSON.stringify(pair)}`);
    out[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
  }
  return out;
}

/** --namespace-mappings `src1:dst1,src2:dst2`. */
export function namespaceMappings(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const out = { ...previous };
  for (const pair of csv(value)) {
    const parts = pair.split(':');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new SkiffError('Config', `invalid namespace mapping ${JSON.stringify(pair)}: use source:target`);
    }
    out[parts[0]!] = parts[1]!;
  }
  return out;
}

/** An optional-value boolean flag (`--flag`, `--flag=true`, `--flag=false`); undefined when absent. */
export function optionalBool(v: string | boolean | undefined, flag: string): boolean | undefined {
  if (v === undefined || typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new SkiffError('Config', `--${flag} takes true or false, not ${JSON.stringify(v)} (write --${flag}=false)`);
}

const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

/** A Go duration string such as 72h, 30m, 1h30m; "0" is allowed. */
export function goDuration(v: string, flag: string): string {
  if (v === '0' || GO_DURATION.test(v)) return v;
  throw new SkiffError('Config', `--${flag}: invalid duration ${JSON.stringify(v)} (use e.g. 720h, 30m, 1h30m)`);
}

export function oneOf<T extends string>(v: string, allowed: readonly T[], flag: string): T {
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new SkiffError('Config', `--${flag} must be one of ${allowed.join(', ')}, not ${JSON.stringify(v)}`);
}

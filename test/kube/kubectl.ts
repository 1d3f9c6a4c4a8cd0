import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/** Path of kubectl (env KUBECTL, else /usr/bin/kubectl), or undefined when there is none. */
export function kubectlPath(): string | undefined {
  const bin = process.env['KUBECTL'] ?? '/usr/bin/kubectl';
  try {
    accessSync(bin, constants.X_OK);
    return bin;
  } catch {
    return undefined;
  }
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl against a kubeconfig; never throws on a non-zero exit (check `code`). */
export async function kubectl(kubeconfigPath: string, args: readonly string[]): Promise<KubectlResult> {
  const bin = kubectlPath();
  if (bin === undefined) throw new Error('kubectl not found (set KUBECTL)');
  return new Promise((resolve, reject) => {
    execFile(bin, ['--kubeconfig', kubeconfigPath, ...args], { timeout: 60_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err !== null && typeof err.code !== 'number') {
        reject(err);
        return;
      }
      resolve({ code: err === null ? 0 : Number(err.code), stdout, stderr });
    });
  });
}

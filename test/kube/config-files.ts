import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { stringify } from 'yaml';

/** A port that was free a moment ago on 127.0.0.1 (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error('no port from listen(0)'))));
    });
  });
}

export function newToken(): string {
  return randomBytes(24).toString('hex');
}

export interface TokenUser {
  token: string;
  user: string;
  groups: readonly string[];
}

/** kube-apiserver --token-auth-file: CSV `token,user,uid,"group1,group2"`. */
export async function writeTokenFile(file: string, users: readonly TokenUser[]): Promise<void> {
  const lines = users.map((u) => `${u.token},${u.user},${u.user},"${u.groups.join(',')}"`);
  await writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600 });
}

/** RSA key pair for signing service account tokens; returns the two PEM file paths. */
export async function writeServiceAccountKeys(dir: string): Promise<{ privateKey: string; publicKey: string }> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const files = { privateKey: path.join(dir, 'sa.key'), publicKey: path.join(dir, 'sa.pub') };
  await writeFile(files.privateKey, privateKey, { mode: 0o600 });
  await writeFile(files.publicKey, publicKey);
  return files;
}

/** A kubeconfig with one cluster, one token user and one current context, all named `skiff-test`. */
export async function writeKubeconfig(file: string, opts: { server: string; caFile: string; token: string; user: string }): Promise<void> {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'skiff-test', cluster: { server: opts.server, 'certificate-authority': opts.caFile } }],
    users: [{ name: opts.user, user: { token: opts.token } }],
    contexts: [{ name: 'skiff-test', context: { cluster: 'skiff-test', user: opts.user, namespace: 'default' } }],
    'current-context': 'skiff-test',
    preferences: {},
  };
  await writeFile(file, stringify(doc), { mode: 0o600 });
}

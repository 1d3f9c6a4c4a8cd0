import { Redacted } from '../runtime/redact.ts';
import type { KubeObject } from '../runtime/types.ts';
import type { DynamicClient } from './dynamic-client.ts';

const SECRETS = { group: '', version: 'v1', resource: 'secrets' } as const;

/** A Secret's data, every value wrapped so it never prints; `resourceVersion` keys caches. */
export interface SecretData {
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion: string;
  readonly keys: readonly string[];
  /** the decoded value of `key`, or undefined when the Secret has no such key */
  value(key: string): Redacted<Buffer> | undefined;
}

interface SecretObject extends KubeObject {
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** Reads Secret `namespace/name`; undefined when it does not exist. Values are base64-decoded. */
export async function readSecret(dynamic: DynamicClient, namespace: string, name: string): Promise<SecretData | undefined> {
  const s = await dynamic.resource<SecretObject>(SECRETS, namespace).get(name);
  if (s === undefined) return undefined;
  const data = new Map<string, Redacted<Buffer>>();
  for (const [k, v] of Object.entries(s.data ?? {})) data.set(k, new Redacted(Buffer.from(v, 'base64')));
  return {
    namespace,
    name,
    resourceVersion: s.metadata.resourceVersion ?? '',
    keys: [...data.keys()],
    value: (key) => data.get(key),
  };
}

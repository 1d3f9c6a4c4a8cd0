import { isCode } from '../../repository/errors/errors.ts';
import type { KubeObject, SkiffClient } from '../runtime/types.ts';

/**
 * Creates `obj` unless an object of that name exists. The client reports "already exists" as a
 * `Conflict` SkiffError (HTTP 409); that outcome is `'exists'`, so a repeated step is a no-op.
 */
export async function createIfAbsent<T extends KubeObject>(client: SkiffClient, plural: string, obj: T): Promise<'created' | 'exists'> {
  try {
    await client.create(plural, obj);
    return 'created';
  } catch (err) {
    if (isCode(err, 'Conflict')) return 'exists';
    throw err;
  }
}

/** Deletes an object; one that is already gone counts as deleted. */
export async function deleteIfPresent(client: SkiffClient, plural: string, name: string): Promise<void> {
  try {
    await client.delete(plural, name);
  } catch (err) {
    if (!isCode(err, 'NotFound')) throw err;
  }
}

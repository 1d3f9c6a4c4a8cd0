/**
 * Reading a GetObject response body straight into the caller's memory. The SDK's
 * `transformToByteArray` collects the chunks and concatenates them, and a Buffer made of that is
 * another copy: three copies of every byte restored, and fresh megabyte buffers that were a third
 * of the main thread's garbage-collection work in an S3 restore.
 */
import { SkiffError } from '../errors/errors.ts';

/**
 * Copies the chunks of `body` into `into` in order and returns how many bytes came. A body longer
 * than `into` is abandoned (the stream destroyed) with `Permanent`: the server answered a range
 * request with more bytes than asked for.
 */
export async function readBodyInto(body: AsyncIterable<Uint8Array>, into: Uint8Array, what: string): Promise<number> {
  let at = 0;
  for await (const chunk of body) {
    if (at + chunk.length > into.length) {
      // leaving the loop destroys the stream and its socket
      throw new SkiffError('Permanent', `${what}: the server sent more than the ${into.length} bytes asked for`);
    }
    into.set(chunk, at);
    at += chunk.length;
  }
  return at;
}

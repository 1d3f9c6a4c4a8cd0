/** Worker thread entry: runs jobs from the pool one at a time and posts each result back. */
import { parentPort } from 'node:worker_threads';
import { SkiffError } from '../errors/errors.ts';
import { runJob } from './jobs.ts';
import { toReply, transferList, type Job, type Reply } from './protocol.ts';

const port = parentPort;
if (!port) throw new Error('repository/workers/worker.ts must run in a worker thread');

port.on('message', (msg: { id: number; job: Job }) => {
  let reply: Reply;
  let transfer: ArrayBuffer[] = [];
  try {
    const result = toReply(runJob(msg.job), msg.job);
    reply = { id: msg.id, ok: true, result };
    transfer = transferList(result as { buf?: unknown; out?: unknown });
  } catch (err) {
    const e = err as Error & { code?: unknown };
    reply = { id: msg.id, ok: false, code: typeof e.code === 'string' ? e.code : undefined, message: e.message, skiff: err instanceof SkiffError };
  }
  port.postMessage(reply, transfer);
});

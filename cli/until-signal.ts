/**
 * How the long-running commands (`skiff server`, `skiff node-agent`) end: on SIGTERM or SIGINT
 * they log the signal and stop cleanly. A second signal, or a stop that hangs for 10 s, must not
 * keep the process alive.
 */
import type { Logger } from '../controller/runtime/index.ts';

export async function stopOnSignal(log: Logger, stop: () => Promise<void>): Promise<void> {
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.info({ signal }, 'shutting down');
  process.once('SIGTERM', () => process.exit(1));
  process.once('SIGINT', () => process.exit(1));
  await stop();
  setTimeout(() => process.exit(process.exitCode ?? 0), 10_000).unref();
}

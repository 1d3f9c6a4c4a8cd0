/**
 * Skiff's engine without the CLI, for `npm run bench -- --engine`: init, backup or restore one
 * repository the way `skiff repo` does (password from SKIFF_PASSWORD, lock held, index loaded),
 * but loading only repository/ and none of the CLI's other commands. The difference to the CLI
 * rows is the CLI's start-up cost.
 *   node bench/skiff-engine.ts init <repo> | backup <repo> <path> | restore <repo> <target> [--cacert <file>]
 */
import os from 'node:os';
import { acquireLock, backup, initRepository, openRepository, openStorage, resolveSnapshot, restoreTree } from '../repository/index.ts';

const [cmd, url, arg] = process.argv.slice(2);
const ca = process.argv.indexOf('--cacert');
const password = process.env['SKIFF_PASSWORD'];
if (!cmd || !url || !password) throw new Error('usage: skiff-engine.ts init|backup|restore <repo> [path|target] (SKIFF_PASSWORD set)');
const storage = openStorage(url, ca > 0 ? { s3: { caBundle: process.argv[ca + 1]! } } : {});
const opts = { hostname: os.hostname(), username: os.userInfo().username };
if (cmd === 'init') {
  await initRepository(storage, password, opts);
} else {
  const repo = await openRepository(storage, password, opts);
  // as the CLI does: the index loads while the lock settles
  const [lock] = await Promise.all([acquireLock(repo, { exclusive: false }), repo.loadIndex()]);
  try {
    if (cmd === 'backup') {
      const r = await backup(repo, { paths: [arg!], programVersion: 'skiff-engine' });
      if (r.warnings.length) throw new Error(`${r.warnings.length} warnings`);
    } else if (cmd === 'restore') {
      const sn = await resolveSnapshot(repo, 'latest');
      const r = await restoreTree(repo, sn.snapshot.tree, { target: arg! });
      if (r.warnings.length) throw new Error(`${r.warnings.length} warnings: ${r.warnings[0]?.message}`);
    } else throw new Error(`unknown command ${cmd}`);
  } finally {
    await lock.release();
  }
}

/**
 * The `skiff` command. Errors end as one clear line on stderr and a non-zero exit code;
 * secrets never reach either.
 *
 * Start-up: `skiff repo ...` loads only the engine and the repo commands. The other command
 * groups (demo, server, node-agent, the cluster verbs) pull in the Kubernetes client, pino,
 * prom-client and the controller, which would double the start-up time and memory of every repo
 * command; they are imported only when the first word is not `repo` (so `skiff --help` still
 * lists everything).
 */
import { Command, CommanderError } from 'commander';
import { SkiffError } from '../repository/index.ts';
import { exitCodeFor, EXIT } from './exit-codes.ts';
import { makeOut, type Out } from './output.ts';
import type { Env, GlobalOptions } from './repo/context.ts';
import { registerBackup, registerInit } from './repo/init-backup.ts';
import { registerCat, registerLs, registerSnapshots, registerStats } from './repo/read-cmds.ts';
import { registerCheck, registerRestore } from './repo/restore-check.ts';
import { registerKey, registerUnlock } from './repo/key-unlock.ts';
import { registerForget, registerPrune } from './repo/forget-prune.ts';
import { VERSION } from './version.ts';

export interface MainIO {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
}

export async function main(argv: readonly string[], io: MainIO = {}): Promise<number> {
  const e: Env = { env: io.env ?? process.env, cwd: io.cwd ?? process.cwd() };
  const json = argv.includes('--json');
  const out = makeOut({ json, ...(io.stdout ? { stdout: io.stdout } : {}), ...(io.stderr ? { stderr: io.stderr } : {}) });
  let exit: number = EXIT.ok;
  const setExit = (c: number) => {
    exit = Math.max(exit, c);
  };

  const program = new Command('skiff')
    .description('Kubernetes backup and restore with restic-format repositories')
    .version(VERSION, '--version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.line(s.trimEnd()), writeErr: (s) => out.err(s.trimEnd()) });
  program.command('version').description('print the version').action(() => out.line(`skiff ${VERSION}`));

  const repo = program
    .command('repo')
    .description('work directly on a repository, as restic does (no cluster needed)')
    .option('-r, --repo <url>', 'repository: /path, s3:http://host:port/bucket/prefix, s3:s3.amazonaws.com/bucket/prefix (env SKIFF_REPOSITORY)')
    .option('-p, --password-file <file>', 'read the password from a file (env SKIFF_PASSWORD holds it directly)')
    .option('--password-command <cmd>', 'run a command that prints the password')
    .option('--json', 'machine-readable output')
    .option('-q, --quiet', 'no progress output')
    .option('--compression <mode>', 'auto, off or max (env SKIFF_COMPRESSION)')
    .option('--pack-size <MiB>', 'target pack size in MiB (4-128, default 16)')
    .option('--cacert <file>', 'CA certificate bundle for an S3 endpoint (env SKIFF_CACERT)')
    .option('--insecure-tls', 'skip TLS certificate verification (testing only)')
    .option('--retry-lock <duration>', 'wait this long (e.g. 5m) for a conflicting lock to go away instead of failing');
  const g = () => repo.opts<GlobalOptions>();
  registerInit(repo, g, e, out, setExit);
  registerBackup(repo, g, e, out, setExit);
  registerSnapshots(repo, g, e, out);
  registerLs(repo, g, e, out);
  registerRestore(repo, g, e, out, setExit);
  registerCheck(repo, g, e, out, setExit);
  registerCat(repo, g, e, out);
  registerStats(repo, g, e, out);
  registerKey(repo, g, e, out);
  registerUnlock(repo, g, e, out);
  registerForget(repo, g, e, out);
  registerPrune(repo, g, e, out);
  if (argv[0] !== 'repo') await registerOthers(program, e, out);
  for (const c of repo.commands) c.exitOverride();

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exit;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const msg = err instanceof SkiffError ? err.message : `unexpected error: ${(err as Error).message ?? String(err)}`;
    out.err(`Fatal: ${msg}`);
    if (!(err instanceof SkiffError) && e.env['SKIFF_DEBUG']) out.err(String((err as Error).stack));
    return exitCodeFor(err);
  }
}

/** Every command group besides `repo`, loaded on demand (see the top of this file). */
async function registerOthers(program: Command, e: Env, out: Out): Promise<void> {
  const [demo, server, nodeAgent, cluster] = await Promise.all([
    import('./demo/demo-command.ts'),
    import('./server-command.ts'),
    import('./node-agent-command.ts'),
    import('./cluster/index.ts'),
  ]);
  demo.registerDemo(program, e, out);
  server.registerServer(program, e, out);
  nodeAgent.registerNodeAgent(program, e, out);
  cluster.registerCluster(program, e, out);
}

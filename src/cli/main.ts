// The tsvisor command line: `do` runs a host program in a fresh sandbox (its
// own parser, as before); everything else is the OCI runtime command line
// (runc/runsc compatible, src/cli/oci.ts). The kernel is loaded only by the
// commands that run one (do, and the sandbox process), so that the short
// OCI commands containerd runs for each container start quickly.
import { RuntimeError } from '../oci/runtime.js';
import { helpText, parseGlobals, runOciCommand, versionText } from './oci.js';

/** `tsvisor do [flags] -- PROGRAM [ARGS…]`: argv starts with "do". */
async function doMain(argv: string[]): Promise<void> {
  const { Command, CommanderError } = await import('commander');
  const { runDo } = await import('./do.js');
  type DoOptions = import('./do.js').DoOptions;
  const program = new Command();
  program.name('tsvisor').description('An application kernel for Linux x86-64 programs, in TypeScript').exitOverride();
  program
    .command('do')
    .description('run PROGRAM [ARGS…] in a fresh sandbox with the caller\'s stdio, environment and working directory')
    .option('--debug', 'write the debug log to stderr')
    .option('--debug-log <file>', 'write the debug log to FILE')
    .option('--strace', 'print every system call with decoded arguments and result')
    .option('--env <KEY=VALUE>', 'set an environment variable (repeatable; replaces the inherited environment)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--cwd <dir>', 'working directory inside the sandbox (default: the current one)')
    .option('--hostname <name>', 'the sandbox\'s hostname', 'tsvisor')
    .option('--root <dir>', 'host directory to use as the root file system (default: /)')
    .option('--volume <HOST:GUEST[:ro]>', 'bind-mount a host directory or file at GUEST (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--overlay', 'keep writes to the root file system in memory; the host directory is never modified (default)')
    .option('--no-overlay', 'write through to the root host directory')
    .option('--tty', 'run the program on a terminal of the sandbox connected to stdin and stdout (default when stdin is a terminal; --tty=false: never)')
    .option('--no-tty', 'the caller\'s stdin, stdout and stderr as they are, even when stdin is a terminal')
    .argument('<program>')
    .argument('[args...]')
    .allowUnknownOption(false)
    .action(async (prog: string, args: string[], opts: DoOptions) => {
      const code = await runDo(prog, args, opts);
      process.exitCode = code;
    });
  try {
    // Go-style booleans as `runsc do` users write them (up to the program: its own arguments are left alone).
    const end = argv.indexOf('--');
    const flags = (end < 0 ? argv : argv.slice(0, end)).map((a) => (a === '--tty=false' ? '--no-tty' : a === '--tty=true' ? '--tty' : a));
    await program.parseAsync(end < 0 ? flags : [...flags, ...argv.slice(end)], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 125;
      return;
    }
    throw e;
  }
}

export async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'do') return doMain(argv);
  let parsed: ReturnType<typeof parseGlobals>;
  try {
    parsed = parseGlobals(argv);
  } catch (e) {
    if (!(e instanceof RuntimeError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exitCode = e.exitCode;
    return;
  }
  const { globals, command, rest } = parsed;
  if (parsed.version) {
    process.stdout.write(versionText());
    return;
  }
  if (command === undefined || (parsed.help && command === undefined)) {
    process.stdout.write(helpText());
    if (command === undefined && !parsed.help) process.exitCode = 0;
    return;
  }
  if (command === 'do') {
    // Global flags before `do` that it understands are passed on.
    const extra: string[] = [];
    if (globals.debug) extra.push('--debug');
    if (globals.debugLog) extra.push('--debug-log', globals.debugLog);
    if (globals.strace) extra.push('--strace');
    return doMain(['do', ...extra, ...rest]);
  }
  try {
    process.exitCode = await runOciCommand(globals, parsed.help ? 'help' : command, parsed.help ? [command] : rest);
  } catch (e) {
    if (e instanceof RuntimeError) {
      globals.log.error(e.message);
      process.exitCode = e.exitCode;
    } else {
      globals.log.error(`tsvisor ${command}: ${(e as Error)?.stack ?? String(e)}`);
      process.exitCode = 1;
    }
  } finally {
    if (command !== 'sandbox-serve') globals.log.close();
  }
}

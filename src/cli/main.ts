// The tsvisor command line. `do` runs a host program in a fresh sandbox; the
// OCI runtime commands (runsc/runc compatible) come with the OCI issue.
import { Command, CommanderError } from 'commander';
import { runDo, type DoOptions } from './do.js';

export async function main(argv: string[]): Promise<void> {
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
    .argument('<program>')
    .argument('[args...]')
    .allowUnknownOption(false)
    .action(async (prog: string, args: string[], opts: DoOptions) => {
      const code = await runDo(prog, args, opts);
      process.exitCode = code;
    });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 125;
      return;
    }
    throw e;
  }
}

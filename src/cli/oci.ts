// The OCI runtime command line, compatible with runc and runsc: global flags
// before the command (every runc global flag containerd may send is
// accepted, with one or two dashes), then the command and its own flags.
// Errors are printed on stderr and, with --log, written to the log (JSON
// lines with --log-format json, which containerd reads); the exit status is
// 1 as runc's (255 for a failed exec, the process's own status for run
// and exec).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CpuResources } from '../oci/cgroups.js';
import { ConfigError, cpuResources, parseProcess, parseSize } from '../oci/config.js';
import { RuntimeLog } from '../oci/log.js';
import { hostPsTable, Runtime, RuntimeError } from '../oci/runtime.js';
import { parseSignal } from '../oci/signals.js';
import { defaultSpec, features, OCI_VERSION } from '../oci/spec.js';
import { writeAtomic } from '../oci/state.js';
import type { ProcessConfig } from '../sandbox/sandbox.js';
import type { TerminalRequest } from '../oci/terminal.js';
import { FlagError, flagHelp, Flags, parseFlags, type FlagDef } from './flags.js';

export function version(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** runc's and runsc's global flags. Those without help are accepted and have no effect. */
export const GLOBAL_FLAGS: FlagDef[] = [
  { name: 'root', kind: 'value', arg: 'DIR', help: 'root directory of container state (default /run/tsvisor; $XDG_RUNTIME_DIR/tsvisor when not root)' },
  { name: 'log', kind: 'value', arg: 'FILE', help: 'log file for errors and debug output (default: stderr)' },
  { name: 'log-format', kind: 'value', arg: 'text|json', help: 'log format (default text)' },
  { name: 'debug', kind: 'bool', help: 'log debug messages' },
  { name: 'debug-log', kind: 'value', arg: 'FILE', help: "the sandbox's debug log (%ID%, %COMMAND%, %TIMESTAMP% are replaced)" },
  { name: 'strace', kind: 'bool', help: "log every system call of the sandbox to its debug log" },
  { name: 'platform', kind: 'value', arg: 'NAME', help: 'how guest system calls are trapped: ptrace (systrap is accepted and runs as ptrace)' },
  { name: 'network', kind: 'value', arg: 'none|sandbox|host', help: 'networking (accepted; the sandbox has no network yet)' },
  { name: 'overlay', kind: 'bool', help: 'keep writes to the root file system in memory (default true; --overlay=false writes through)' },
  { name: 'systemd-cgroup', kind: 'bool', help: 'accepted (no effect)' },
  { name: 'rootless', kind: 'value', optionalValues: ['true', 'false', 'auto'], help: 'accepted (no effect)' },
  { name: 'criu', kind: 'value' },
  { name: 'help', kind: 'bool', aliases: ['h'], help: 'show help' },
  { name: 'version', kind: 'bool', aliases: ['v'], help: 'print the version' },
  // runsc's, accepted so that a runtime configured for runsc works.
  ...['debug-log-format', 'panic-log', 'coverage-log', 'file-access', 'file-access-mounts', 'overlay2', 'watchdog-action', 'panic-signal', 'host-uds', 'host-fifo',
    'num-network-channels', 'log-fd', 'debug-log-fd', 'panic-log-fd', 'strace-syscalls', 'strace-log-size', 'profile-block', 'profile-cpu', 'profile-heap',
    'profile-mutex', 'trace', 'ref-leak-mode', 'metric-server', 'pod-init-config', 'reproduce-nftables', 'net-disconnect-ok'].map((name): FlagDef => ({ name, kind: 'value' })),
  ...['alsologtostderr', 'net-raw', 'gso', 'software-gso', 'ignore-cgroups', 'TESTONLY-unsafe-nonroot', 'directfs', 'nvproxy', 'tpuproxy', 'log-packets',
    'cpu-num-from-quota', 'oci-seccomp', 'vfs2', 'fuse', 'allow-flag-override', 'rootfs-overlay', 'host-settings'].map((name): FlagDef => ({ name, kind: 'bool' })),
];

export interface Globals {
  root: string;
  log: RuntimeLog;
  debug: boolean;
  debugLog?: string;
  strace: boolean;
  overlay: boolean;
  /** The global arguments as given. */
  raw: string[];
}

export function defaultRoot(): string {
  if (process.geteuid?.() === 0) return '/run/tsvisor';
  const xdg = process.env.XDG_RUNTIME_DIR;
  return xdg ? path.join(xdg, 'tsvisor') : path.join(os.tmpdir(), `tsvisor-${process.geteuid?.() ?? 'user'}`);
}

interface Command {
  name: string;
  usage: string;
  summary: string;
  flags: FlagDef[];
  /** exec: flags end at the container id (the rest is the command). */
  stopAtPositional?: boolean;
  /** Positional count: exact, or [min, max]. */
  args: number | [number, number];
  hidden?: boolean;
  run(g: Globals, f: Flags): Promise<number>;
}

const bundleFlag: FlagDef = { name: 'bundle', kind: 'value', aliases: ['b'], arg: 'DIR', help: 'the bundle directory (default: the current directory)' };
const pidFileFlag: FlagDef = { name: 'pid-file', kind: 'value', arg: 'FILE', help: 'write the host pid to wait on and signal to FILE' };
const consoleFlag: FlagDef = { name: 'console-socket', kind: 'value', arg: 'PATH', help: "a unix socket to receive the terminal's master (a pty) when process.terminal is true" };
const ignored = (...names: string[]): FlagDef[] => names.map((name) => ({ name, kind: 'bool' as const }));
const ignoredValues = (...names: string[]): FlagDef[] => names.map((name) => ({ name, kind: 'value' as const }));

function out(s: string): void {
  fs.writeSync(1, s);
}

function runtimeOf(g: Globals): Runtime {
  return new Runtime({ root: g.root, log: g.log, debug: g.debug, debugLog: g.debugLog, strace: g.strace, overlay: g.overlay, globalArgs: g.raw });
}

/** Go durations as runc's --interval takes them ("5s", "500ms", "1m30s"); ms. */
export function parseDuration(s: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * unit[m[2]];
    end = re.lastIndex;
  }
  if (end !== s.length || s.length === 0) throw new RuntimeError(`invalid duration ${JSON.stringify(s)}`);
  return total;
}

function execProcess(rt: Runtime, id: string, f: Flags): { p: ProcessConfig; terminal?: TerminalRequest } {
  const file = f.str('process');
  let p: ProcessConfig;
  let terminal = f.bool('tty');
  let size: { height: number; width: number } | undefined;
  if (file !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file === '-' ? 0 : file, 'utf8'));
    } catch (e) {
      throw new RuntimeError(`exec failed: --process ${file}: ${(e as Error).message}`, 255);
    }
    const warnings: string[] = [];
    try {
      const parsed = parseProcess(json, 'process', warnings);
      terminal ||= parsed.terminal;
      size = parsed.consoleSize;
      p = parsed.process;
    } catch (e) {
      if (e instanceof ConfigError) throw new RuntimeError(`exec failed: ${file}: ${e.message}`, 255);
      throw e;
    }
    for (const w of warnings) rt.opts.log.warn(w);
  } else {
    const base = rt.containerProcess(id);
    const args = f.positionals.slice(1);
    if (args.length === 0) throw new RuntimeError('exec failed: no command given (arguments after the container id, or --process FILE)', 255);
    const env = [...base.env];
    for (const e of f.list('env')) {
      if (!e.includes('=')) throw new RuntimeError(`exec failed: --env ${e}: expected KEY=VALUE`, 255);
      const key = e.slice(0, e.indexOf('=') + 1);
      const i = env.findIndex((x) => x.startsWith(key));
      if (i >= 0) env[i] = e;
      else env.push(e);
    }
    p = { ...base, argv: args, env };
    if (f.str('cwd') !== undefined) p.cwd = f.str('cwd')!;
    const user = f.str('user');
    if (user !== undefined) {
      const m = /^(\d+)(?::(\d+))?$/.exec(user);
      if (!m) throw new RuntimeError(`exec failed: --user ${user}: expected UID[:GID] (numbers)`, 255);
      p.uid = Number(m[1]);
      p.gid = m[2] !== undefined ? Number(m[2]) : 0;
    }
    const gids = f.list('additional-gids').map((g) => {
      if (!/^\d+$/.test(g)) throw new RuntimeError(`exec failed: --additional-gids ${g}: not a number`, 255);
      return Number(g);
    });
    if (gids.length > 0) p.additionalGids = gids;
    if (f.bool('no-new-privs')) p.noNewPrivileges = true;
    if (f.list('cap').length > 0) rt.opts.log.warn('exec --cap: capabilities are not added (the container process set applies)');
  }
  // runc's old --console is its --console-socket.
  const consoleSocket = f.str('console-socket') ?? f.str('console');
  if (consoleSocket !== undefined && !terminal) throw new RuntimeError('exec failed: cannot use console socket if runtime will not detach or allocate tty', 255);
  return { p, terminal: terminal ? { consoleSocket, size } : undefined };
}

/** daemon.json editing for install/uninstall: a backup first, then the change written atomically. */
function editDaemonJson(file: string, edit: (cfg: Record<string, unknown>) => void): string | null {
  let cfg: Record<string, unknown> = {};
  let backup: string | null = null;
  if (fs.existsSync(file)) {
    const text = fs.readFileSync(file, 'utf8');
    try {
      cfg = text.trim() === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch (e) {
      throw new RuntimeError(`${file}: not valid JSON: ${(e as Error).message}`);
    }
    backup = `${file}.tsvisor-backup`;
    fs.copyFileSync(file, backup);
  } else {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }
  edit(cfg);
  writeAtomic(file, JSON.stringify(cfg, null, 2) + '\n', 0o644);
  return backup;
}

const COMMANDS: Command[] = [
  {
    name: 'create',
    usage: 'create [flags] CONTAINER-ID',
    summary: 'create a container from a bundle (its first process waits for start)',
    flags: [bundleFlag, pidFileFlag, consoleFlag, ...ignored('no-pivot', 'no-new-keyring'), ...ignoredValues('preserve-fds', 'user-log')],
    args: 1,
    async run(g, f) {
      await runtimeOf(g).create(f.positionals[0], { bundle: f.str('bundle'), pidFile: f.str('pid-file'), consoleSocket: f.str('console-socket') });
      return 0;
    },
  },
  {
    name: 'start',
    usage: 'start CONTAINER-ID',
    summary: "run a created container's first process",
    flags: [],
    args: 1,
    async run(g, f) {
      await runtimeOf(g).start(f.positionals[0]);
      return 0;
    },
  },
  {
    name: 'run',
    usage: 'run [flags] CONTAINER-ID',
    summary: 'create and start a container; without --detach, wait for it, delete it and exit with its status',
    flags: [
      bundleFlag, pidFileFlag, consoleFlag,
      { name: 'detach', kind: 'bool', aliases: ['d'], help: 'return once the container has started' },
      { name: 'keep', kind: 'bool', help: 'do not delete the container when it stops' },
      ...ignored('no-pivot', 'no-new-keyring', 'no-subreaper'), ...ignoredValues('preserve-fds'),
    ],
    args: 1,
    async run(g, f) {
      return runtimeOf(g).run(f.positionals[0], {
        bundle: f.str('bundle'),
        pidFile: f.str('pid-file'),
        consoleSocket: f.str('console-socket'),
        detach: f.bool('detach'),
        keep: f.bool('keep'),
      });
    },
  },
  {
    name: 'exec',
    usage: 'exec [flags] CONTAINER-ID [COMMAND [ARGS...]]',
    summary: 'run another process in a running container',
    flags: [
      { name: 'process', kind: 'value', aliases: ['p'], arg: 'FILE', help: 'an OCI process object (JSON) to run instead of COMMAND' },
      { name: 'detach', kind: 'bool', aliases: ['d'], help: 'return once the process has started (the --pid-file process waits for it)' },
      pidFileFlag, consoleFlag,
      { name: 'tty', kind: 'bool', aliases: ['t'], help: 'allocate a terminal (its master goes to --console-socket, or is copied to this terminal)' },
      { name: 'user', kind: 'value', aliases: ['u'], arg: 'UID[:GID]', help: 'the user to run as' },
      { name: 'cwd', kind: 'value', arg: 'DIR', help: 'the working directory in the container' },
      { name: 'env', kind: 'list', aliases: ['e'], arg: 'KEY=VALUE', help: 'set an environment variable (repeatable)' },
      { name: 'additional-gids', kind: 'list', aliases: ['g'], arg: 'GID', help: 'an additional group (repeatable)' },
      { name: 'cap', kind: 'list', aliases: ['c'], arg: 'CAP', help: 'accepted (the container process set applies)' },
      { name: 'no-new-privs', kind: 'bool', help: 'set no_new_privs' },
      { name: 'ignore-paused', kind: 'bool', help: 'exec even if the container is paused' },
      { name: 'console', kind: 'value' },
      ...ignoredValues('process-label', 'apparmor', 'preserve-fds', 'cgroup'),
    ],
    stopAtPositional: true,
    args: [1, Infinity],
    async run(g, f) {
      const rt = runtimeOf(g);
      const id = f.positionals[0];
      const { p, terminal } = execProcess(rt, id, f);
      return rt.exec(id, p, { detach: f.bool('detach'), pidFile: f.str('pid-file'), ignorePaused: f.bool('ignore-paused'), terminal });
    },
  },
  {
    name: 'exec-child',
    usage: 'exec-child CONTAINER-ID',
    summary: 'internal: the waiting half of exec --detach',
    flags: [],
    args: 1,
    hidden: true,
    async run(g, f) {
      const p = JSON.parse(process.env.TSVISOR_EXEC_PROCESS ?? 'null') as ProcessConfig | null;
      const terminal = JSON.parse(process.env.TSVISOR_EXEC_TERMINAL ?? 'null') as TerminalRequest | null;
      delete process.env.TSVISOR_EXEC_PROCESS;
      delete process.env.TSVISOR_EXEC_TERMINAL;
      try {
        if (!p) throw new RuntimeError('no process to run');
        return await runtimeOf(g).exec(f.positionals[0], p, { readyFd: 3, terminal: terminal ?? undefined });
      } catch (e) {
        try {
          fs.writeSync(3, JSON.stringify({ error: (e as Error).message.replace(/^exec failed: /, '') }) + '\n');
        } catch {
          // the parent went away
        }
        return 255;
      }
    },
  },
  {
    name: 'kill',
    usage: 'kill [flags] CONTAINER-ID [SIGNAL]',
    summary: "send a signal (a name or a number; default SIGTERM) to the container's first process",
    flags: [{ name: 'all', kind: 'bool', aliases: ['a'], help: 'send it to every process of the container' }, ...ignoredValues('pid')],
    args: [1, 2],
    async run(g, f) {
      const sig = parseSignal(f.positionals[1] ?? 'SIGTERM');
      if (sig instanceof Error) throw new RuntimeError(sig.message);
      await runtimeOf(g).kill(f.positionals[0], sig, f.bool('all'));
      return 0;
    },
  },
  {
    name: 'delete',
    usage: 'delete [flags] CONTAINER-ID',
    summary: 'delete a stopped (or created) container and its state',
    flags: [{ name: 'force', kind: 'bool', aliases: ['f'], help: 'kill the container first if it runs' }],
    args: 1,
    async run(g, f) {
      await runtimeOf(g).delete(f.positionals[0], f.bool('force'));
      return 0;
    },
  },
  {
    name: 'state',
    usage: 'state CONTAINER-ID',
    summary: "print the container's state (JSON)",
    flags: [],
    args: 1,
    async run(g, f) {
      out(JSON.stringify(runtimeOf(g).state(f.positionals[0]), null, 2) + '\n');
      return 0;
    },
  },
  {
    name: 'list',
    usage: 'list [flags]',
    summary: 'list the containers',
    flags: [
      { name: 'format', kind: 'value', aliases: ['f'], arg: 'table|json', help: 'output format (default table)' },
      { name: 'quiet', kind: 'bool', aliases: ['q'], help: 'print only the ids' },
    ],
    args: 0,
    async run(g, f) {
      const list = runtimeOf(g).list();
      const fmt = f.str('format') ?? 'table';
      if (f.bool('quiet')) {
        out(list.map((s) => s.id + '\n').join(''));
      } else if (fmt === 'json') {
        out(JSON.stringify(list) + '\n');
      } else if (fmt === 'table') {
        const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER'], ...list.map((s) => [s.id, String(s.pid), s.status, s.bundle, s.created, s.owner])];
        const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
        out(rows.map((r) => r.map((x, c) => (c === r.length - 1 ? x : x.padEnd(widths[c] + 3))).join('') + '\n').join(''));
      } else throw new RuntimeError(`invalid format option ${JSON.stringify(fmt)}`);
      return 0;
    },
  },
  {
    name: 'ps',
    usage: 'ps [flags] CONTAINER-ID [PS-ARGS...]',
    summary: "the container's processes: their host pids (json), or the host's ps lines for them (table)",
    flags: [{ name: 'format', kind: 'value', aliases: ['f'], arg: 'table|json', help: 'output format (default table)' }],
    stopAtPositional: true,
    args: [1, Infinity],
    async run(g, f) {
      const procs = await runtimeOf(g).processes(f.positionals[0]);
      const pids = [...new Set(procs.map((p) => p.hostPid))];
      const fmt = f.str('format') ?? 'table';
      if (fmt === 'json') out(JSON.stringify(pids) + '\n');
      else if (fmt === 'table') out(hostPsTable(pids, f.positionals.slice(1)));
      else throw new RuntimeError(`invalid format option ${JSON.stringify(fmt)}`);
      return 0;
    },
  },
  {
    name: 'events',
    usage: 'events [flags] CONTAINER-ID',
    summary: "print the container's resource usage as JSON events, every --interval until it stops",
    flags: [
      { name: 'stats', kind: 'bool', help: 'print the usage once and exit' },
      { name: 'interval', kind: 'value', arg: 'DURATION', help: 'time between events (default 5s)' },
    ],
    args: 1,
    async run(g, f) {
      const rt = runtimeOf(g);
      const id = f.positionals[0];
      const interval = parseDuration(f.str('interval') ?? '5s');
      const event = async (): Promise<void> => {
        const s = await rt.stats(id);
        const data = {
          cpu: { usage: { total: Math.round(s.cpuNs), percpu: [], kernel: 0, user: 0 }, throttling: {} },
          memory: { usage: { usage: s.memoryUsage, limit: s.memoryLimit, max: 0, failcnt: 0 }, raw: {} },
          pids: { current: s.pids, limit: s.pidsLimit },
        };
        out(JSON.stringify({ type: 'stats', id, data }) + '\n');
      };
      if (f.bool('stats')) {
        await event();
        return 0;
      }
      for (;;) {
        try {
          await event();
        } catch (e) {
          if (rt.status(rt.load(id)) === 'stopped') return 0;
          throw e;
        }
        await new Promise((r) => setTimeout(r, interval));
        if (rt.status(rt.load(id)) === 'stopped') return 0;
      }
    },
  },
  {
    name: 'wait',
    usage: 'wait CONTAINER-ID',
    summary: 'wait for the container to stop; print {"id","exitStatus"} (as runsc wait)',
    flags: [...ignoredValues('pid', 'rootpid'), ...ignored('checkpoint')],
    args: 1,
    async run(g, f) {
      const id = f.positionals[0];
      const status = await runtimeOf(g).wait(id);
      out(JSON.stringify({ id, exitStatus: status }) + '\n');
      return 0;
    },
  },
  {
    name: 'pause',
    usage: 'pause CONTAINER-ID',
    summary: 'stop every process of the container (SIGSTOP)',
    flags: [],
    args: 1,
    async run(g, f) {
      await runtimeOf(g).pause(f.positionals[0]);
      return 0;
    },
  },
  {
    name: 'resume',
    usage: 'resume CONTAINER-ID',
    summary: 'continue a paused container (SIGCONT)',
    flags: [],
    args: 1,
    async run(g, f) {
      await runtimeOf(g).resume(f.positionals[0]);
      return 0;
    },
  },
  {
    name: 'update',
    usage: 'update [flags] CONTAINER-ID',
    summary: "change a running container's limits (the pids limit; others are accepted)",
    flags: [
      { name: 'resources', kind: 'value', aliases: ['r'], arg: 'FILE', help: 'linux.resources as JSON (- for stdin)' },
      { name: 'pids-limit', kind: 'value', arg: 'N', help: 'the most tasks at once (0 or -1: no limit)' },
      { name: 'memory', kind: 'value', arg: 'BYTES', help: 'memory limit (not below what the container uses; up to twice the limit at create)' },
      { name: 'cpu-quota', kind: 'value', arg: 'US', help: 'CPU time per period in µs (-1: none), through the container\'s cgroup' },
      { name: 'cpu-period', kind: 'value', arg: 'US', help: 'the CPU quota\'s period in µs' },
      { name: 'cpu-shares', kind: 'value', arg: 'N', help: 'relative CPU weight' },
      ...ignoredValues('memory-reservation', 'memory-swap', 'kernel-memory', 'kernel-memory-tcp', 'cpu-rt-period',
        'cpu-rt-runtime', 'cpuset-cpus', 'cpuset-mems', 'blkio-weight', 'l3-cache-schema', 'mem-bw-schema', 'cpu-idle'),
    ],
    args: 1,
    async run(g, f) {
      const res: { pidsLimit?: number; memoryLimit?: number; cpu?: CpuResources } = {};
      const file = f.str('resources');
      if (file !== undefined) {
        let json: { memory?: { limit?: unknown }; pids?: { limit?: unknown }; cpu?: unknown };
        try {
          json = JSON.parse(fs.readFileSync(file === '-' ? 0 : file, 'utf8')) as typeof json;
        } catch (e) {
          throw new RuntimeError(`--resources: ${(e as Error).message}`);
        }
        if (typeof json?.pids?.limit === 'number') res.pidsLimit = json.pids.limit;
        if (typeof json?.memory?.limit === 'number') res.memoryLimit = json.memory.limit;
        if (json?.cpu !== undefined && json.cpu !== null) {
          try {
            res.cpu = cpuResources(json.cpu, 'cpu');
          } catch (e) {
            throw new RuntimeError(`--resources: ${(e as Error).message}`);
          }
        }
      }
      for (const [flag, key, min] of [['cpu-quota', 'quota', -1], ['cpu-period', 'period', 0], ['cpu-shares', 'shares', 0]] as const) {
        const v = f.str(flag);
        if (v === undefined) continue;
        if (!/^-?\d+$/.test(v) || Number(v) < min) throw new RuntimeError(`invalid value for ${flag}: ${v}`);
        res.cpu = { ...res.cpu, [key]: Number(v) };
      }
      const pl = f.str('pids-limit');
      if (pl !== undefined) {
        if (!/^-?\d+$/.test(pl)) throw new RuntimeError(`invalid value for pids-limit: ${pl}`);
        res.pidsLimit = Number(pl);
      }
      const mem = f.str('memory');
      if (mem !== undefined) {
        let n: number | undefined;
        try {
          n = parseSize(mem, '--memory');
        } catch (e) {
          throw new RuntimeError((e as Error).message);
        }
        if (n === undefined) throw new RuntimeError(`invalid value for memory: ${mem}`);
        res.memoryLimit = n;
      }
      for (const w of await runtimeOf(g).update(f.positionals[0], res)) g.log.warn(w);
      return 0;
    },
  },
  {
    name: 'spec',
    usage: 'spec [flags]',
    summary: 'write a default config.json in the bundle directory',
    flags: [bundleFlag, { name: 'rootless', kind: 'bool', help: 'a spec for a container run by an unprivileged user' }],
    args: 0,
    async run(_g, f) {
      const dir = path.resolve(f.str('bundle') ?? '.');
      const file = path.join(dir, 'config.json');
      if (fs.existsSync(file)) throw new RuntimeError('File config.json exists. Remove it first');
      const spec = defaultSpec({ rootless: f.bool('rootless'), uid: process.getuid?.(), gid: process.getgid?.() });
      fs.writeFileSync(file, JSON.stringify(spec, null, '\t') + '\n', { mode: 0o666 });
      return 0;
    },
  },
  {
    name: 'features',
    usage: 'features',
    summary: 'print what this runtime supports (JSON)',
    flags: [],
    args: 0,
    async run() {
      out(JSON.stringify(features(version()), null, 4) + '\n');
      return 0;
    },
  },
  {
    name: 'install',
    usage: 'install [flags] [-- RUNTIME-ARGS...]',
    summary: "register tsvisor as a runtime in Docker's daemon.json (a backup is kept; reload dockerd with kill -HUP)",
    flags: [
      { name: 'runtime', kind: 'value', arg: 'NAME', help: 'the runtime name (default tsvisor)' },
      { name: 'config-file', kind: 'value', arg: 'FILE', help: 'daemon.json (default /etc/docker/daemon.json)' },
    ],
    args: [0, Infinity],
    async run(_g, f) {
      const name = f.str('runtime') ?? 'tsvisor';
      const file = path.resolve(f.str('config-file') ?? '/etc/docker/daemon.json');
      const bin = fileURLToPath(new URL('../../../bin/tsvisor.js', import.meta.url));
      const backup = editDaemonJson(file, (cfg) => {
        const runtimes = (typeof cfg.runtimes === 'object' && cfg.runtimes !== null ? cfg.runtimes : {}) as Record<string, unknown>;
        runtimes[name] = { path: bin, ...(f.positionals.length > 0 ? { runtimeArgs: f.positionals } : {}) };
        cfg.runtimes = runtimes;
      });
      out(`runtime ${name} registered in ${file}${backup ? ` (backup: ${backup})` : ''}; reload dockerd: kill -HUP $(pidof dockerd)\n`);
      return 0;
    },
  },
  {
    name: 'uninstall',
    usage: 'uninstall [flags]',
    summary: "remove the runtime from Docker's daemon.json (a backup is kept)",
    flags: [
      { name: 'runtime', kind: 'value', arg: 'NAME', help: 'the runtime name (default tsvisor)' },
      { name: 'config-file', kind: 'value', arg: 'FILE', help: 'daemon.json (default /etc/docker/daemon.json)' },
    ],
    args: 0,
    async run(_g, f) {
      const name = f.str('runtime') ?? 'tsvisor';
      const file = path.resolve(f.str('config-file') ?? '/etc/docker/daemon.json');
      if (!fs.existsSync(file)) throw new RuntimeError(`${file} does not exist`);
      let found = false;
      editDaemonJson(file, (cfg) => {
        const runtimes = cfg.runtimes as Record<string, unknown> | undefined;
        if (runtimes && name in runtimes) {
          delete runtimes[name];
          found = true;
          if (Object.keys(runtimes).length === 0) delete cfg.runtimes;
        }
      });
      if (!found) throw new RuntimeError(`runtime ${name} is not registered in ${file}`);
      out(`runtime ${name} removed from ${file}; reload dockerd: kill -HUP $(pidof dockerd)\n`);
      return 0;
    },
  },
  {
    name: 'sandbox-serve',
    usage: 'sandbox-serve STATE-DIR',
    summary: 'internal: the sandbox process of a container',
    flags: [],
    args: 1,
    hidden: true,
    async run(_g, f) {
      const { serveSandbox } = await import('../oci/server.js');
      await serveSandbox(f.positionals[0], 3);
      return process.exitCode === undefined ? 0 : Number(process.exitCode);
    },
  },
];

const UNSUPPORTED = ['checkpoint', 'restore', 'port-forward', 'portforward', 'debug', 'gofer', 'boot', 'symbolize', 'usage', 'metric-metadata', 'tar'];

export function helpText(): string {
  const cmds = COMMANDS.filter((c) => !c.hidden)
    .map((c) => `   ${c.name.padEnd(12)} ${c.summary}`)
    .join('\n');
  return `tsvisor: an application kernel for Linux x86-64 programs, an OCI runtime compatible with runc and runsc

USAGE:
   tsvisor [global flags] COMMAND [flags] [arguments...]
   tsvisor do [flags] -- PROGRAM [ARGS...]     run a host program in a fresh sandbox

COMMANDS:
${cmds}
   do           run a host program in a fresh sandbox (tsvisor do --help)
   help         show help for a command

GLOBAL FLAGS:
${flagHelp(GLOBAL_FLAGS)}
`;
}

function commandHelp(c: Command): string {
  const flags = flagHelp(c.flags);
  return `USAGE:\n   tsvisor ${c.usage}\n\n${c.summary}\n${flags ? `\nFLAGS:\n${flags}\n` : ''}`;
}

export function versionText(): string {
  return `tsvisor version ${version()}\nspec: ${OCI_VERSION}\nnode: ${process.version}\n`;
}

/** Parses the global flags; null if there is nothing more to do (help, version). */
export function parseGlobals(argv: string[]): { globals: Globals; command: string | undefined; rest: string[]; help: boolean; version: boolean } {
  const p = parseFlags(argv, GLOBAL_FLAGS, { maxPositionals: 1, allowUnknown: true });
  const f = new Flags(p);
  const command = p.positionals[0];
  const rest = p.positionals.slice(1);
  const raw = argv.slice(0, argv.length - p.positionals.length);
  const format = f.str('log-format') ?? 'text';
  const log = new RuntimeLog({ file: f.str('log'), format: format === 'json' ? 'json' : 'text', debug: f.bool('debug') });
  if (format !== 'text' && format !== 'json') throw new RuntimeError(`invalid log-format: ${format}`);
  const platform = f.str('platform');
  if (platform !== undefined && platform !== 'ptrace' && platform !== 'systrap') throw new RuntimeError(`invalid platform ${JSON.stringify(platform)} (tsvisor has ptrace)`);
  if (platform === 'systrap') log.debug('--platform=systrap: not available yet; ptrace is used');
  const network = f.str('network');
  if (network !== undefined && !['none', 'sandbox', 'host'].includes(network)) throw new RuntimeError(`invalid network type ${JSON.stringify(network)}`);
  for (const u of p.unknown) log.debug(`global flag ${u} is not known; ignored`);
  return {
    globals: {
      root: path.resolve(f.str('root') ?? defaultRoot()),
      log,
      debug: f.bool('debug'),
      debugLog: f.str('debug-log'),
      strace: f.bool('strace'),
      overlay: f.p.values.has('overlay') ? f.bool('overlay') : true,
      raw,
    },
    command,
    rest,
    help: f.bool('help'),
    version: f.bool('version'),
  };
}

/** Runs an OCI command (the global flags already parsed). Returns the exit status. */
export async function runOciCommand(g: Globals, name: string, args: string[]): Promise<number> {
  if (name === 'help') {
    const c = COMMANDS.find((x) => x.name === args[0]);
    out(c ? commandHelp(c) : helpText());
    return 0;
  }
  const c = COMMANDS.find((x) => x.name === name);
  if (!c) {
    if (UNSUPPORTED.includes(name)) throw new RuntimeError(`${name} is not supported by tsvisor`);
    throw new RuntimeError(`No help topic for '${name}'`, 3);
  }
  let f: Flags;
  try {
    f = new Flags(parseFlags(args, [...c.flags, { name: 'help', kind: 'bool', aliases: ['h'] }], { stopAtPositional: c.stopAtPositional }));
  } catch (e) {
    if (e instanceof FlagError) throw new RuntimeError(`${e.message}\nUsage: tsvisor ${c.usage}`);
    throw e;
  }
  if (f.bool('help')) {
    out(commandHelp(c));
    return 0;
  }
  const n = f.positionals.length;
  const [min, max] = typeof c.args === 'number' ? [c.args, c.args] : c.args;
  if (n < min || n > max) {
    const want = min === max ? `exactly ${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new RuntimeError(`tsvisor: "${name}" requires ${want} argument(s)\nUsage: tsvisor ${c.usage}`);
  }
  g.log.debug(`command: ${name} ${args.join(' ')}`);
  return c.run(g, f);
}

// Reading and validating a bundle's config.json (OCI runtime spec 1.x) and
// turning it into the sandbox's configuration: the first process, the mount
// namespace (root, mounts, masked and read-only paths), limits and hooks.
// Every error names the field at fault ("process.user.uid: ...").
import fs from 'node:fs';
import path from 'node:path';
import { CAPABILITY_NAMES } from '../abi/linux/capability.js';
import { RLIMIT_NAMES } from '../abi/linux/rlimit.js';
import type { MountSpec, MountsConfig } from '../sandbox/mounts.js';
import type { CpuResources } from './cgroups.js';
import type { CapabilityNumbers, ProcessConfig } from '../sandbox/sandbox.js';
import { HOOK_KINDS, NAMESPACE_TYPES, type HookKind, type OciHook } from './spec.js';

/** A config.json (or exec process file) that cannot be used; the message names the field. */
export class ConfigError extends Error {}

export type Hooks = Partial<Record<HookKind, OciHook[]>>;

/** The container as the runtime needs it, from config.json. */
export interface ContainerConfig {
  ociVersion: string;
  /** Absolute bundle directory. */
  bundle: string;
  /** Absolute host path of the root file system. */
  rootfs: string;
  hostname?: string;
  process: ProcessConfig;
  terminal: boolean;
  consoleSize?: { height: number; width: number };
  mounts: MountsConfig;
  memoryLimit?: number;
  pidsLimit?: number;
  /** linux.resources.cpu, applied through a host cgroup (src/oci/cgroups.ts). */
  cpu?: CpuResources;
  /** linux.cgroupsPath. */
  cgroupsPath?: string;
  /** The linux.sysctl entries the sandbox honours (net.ipv4.ip_unprivileged_port_start), as numbers. */
  sysctl: Record<string, number>;
  hooks: Hooks;
  annotations: Record<string, string>;
  /** Things accepted but not honoured, for the debug log. */
  warnings: string[];
}

export interface ParseOptions {
  /** Keep writes to the root in memory (the default); false writes through to the host directory. */
  overlay?: boolean;
}

type Json = Record<string, unknown>;

function fail(field: string, msg: string): never {
  throw new ConfigError(`${field}: ${msg}`);
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function obj(v: unknown, field: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(field, `must be an object, not ${kind(v)}`);
  return v as Json;
}

function optObj(v: unknown, field: string): Json | undefined {
  return v === undefined || v === null ? undefined : obj(v, field);
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string') fail(field, v === undefined ? 'is required' : `must be a string, not ${kind(v)}`);
  return v;
}

function optStr(v: unknown, field: string): string | undefined {
  return v === undefined || v === null ? undefined : str(v, field);
}

function optBool(v: unknown, field: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') fail(field, `must be true or false, not ${kind(v)}`);
  return v;
}

function int(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(field, v === undefined ? 'is required' : `must be an integer, not ${kind(v)}`);
  if (v < min || v > max) fail(field, `${v} is out of range (${min} to ${max})`);
  return v;
}

const UINT32_MAX = 0xffffffff;
const UINT64_MAX = 2 ** 64;

function uint32(v: unknown, field: string): number {
  return int(v, field, 0, UINT32_MAX);
}

function strArray(v: unknown, field: string): string[] {
  if (!Array.isArray(v)) fail(field, `must be an array of strings, not ${kind(v)}`);
  return v.map((x, i) => str(x, `${field}[${i}]`));
}

function optStrArray(v: unknown, field: string): string[] | undefined {
  return v === undefined || v === null ? undefined : strArray(v, field);
}

function strMap(v: unknown, field: string): Record<string, string> {
  const o = obj(v, field);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(o)) out[k] = str(x, `${field}.${k}`);
  return out;
}

function absPath(v: unknown, field: string): string {
  const p = str(v, field);
  if (!p.startsWith('/')) fail(field, `${JSON.stringify(p)} must be an absolute path`);
  return p;
}

/** Every 1.x version ("1.0.2-dev" included). */
export function checkVersion(v: unknown): string {
  const s = str(v, 'ociVersion');
  if (!/^1\.\d+\.\d+(?:[-+].*)?$/.test(s)) fail('ociVersion', `${JSON.stringify(s)} is not supported (tsvisor runs 1.x configs)`);
  return s;
}

const CAP_SETS = ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'] as const;

function capabilities(v: unknown, field: string, warnings: string[]): CapabilityNumbers {
  const o = obj(v, field);
  const out: CapabilityNumbers = {};
  for (const set of CAP_SETS) {
    const names = optStrArray(o[set], `${field}.${set}`);
    if (names === undefined) continue;
    const nums: number[] = [];
    names.forEach((n) => {
      const num = CAPABILITY_NAMES.indexOf(n.toUpperCase());
      // As runc: a capability this kernel does not know is left out, with a warning.
      if (num < 0) warnings.push(`${field}.${set}: unknown capability ${JSON.stringify(n)} ignored`);
      else nums.push(num);
    });
    out[set] = nums;
  }
  return out;
}

/** An rlimit value: a uint64, RLIM_INFINITY (2^64-1, or anything at or past 2^63 once in a double) as null. */
function rlimitValue(v: unknown, field: string): number | null {
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(field, v === undefined ? 'is required' : `must be an integer, not ${kind(v)}`);
  if (v < 0 || v > UINT64_MAX) fail(field, `${v} is out of range`);
  return v >= 2 ** 63 ? null : v;
}

function rlimits(v: unknown, field: string): NonNullable<ProcessConfig['rlimits']> {
  if (!Array.isArray(v)) fail(field, `must be an array, not ${kind(v)}`);
  const seen = new Set<string>();
  return v.map((x, i) => {
    const f = `${field}[${i}]`;
    const o = obj(x, f);
    const type = str(o.type, `${f}.type`);
    const resource = RLIMIT_NAMES.indexOf(type);
    if (resource < 0) fail(`${f}.type`, `unknown resource ${JSON.stringify(type)}`);
    if (seen.has(type)) fail(`${f}.type`, `${type} is given twice`);
    seen.add(type);
    const soft = rlimitValue(o.soft, `${f}.soft`);
    const hard = rlimitValue(o.hard, `${f}.hard`);
    if (hard !== null && (soft === null || soft > hard)) fail(f, `the soft limit of ${type} is above its hard limit`);
    return { resource, soft, hard };
  });
}

/**
 * An OCI `process` object (config.json's, or an exec --process file) as
 * the sandbox takes it. `field` prefixes error messages.
 */
export function parseProcess(v: unknown, field: string, warnings: string[]): { process: ProcessConfig; terminal: boolean; consoleSize?: { height: number; width: number } } {
  const o = obj(v, field);
  const terminal = optBool(o.terminal, `${field}.terminal`) ?? false;
  let consoleSize: { height: number; width: number } | undefined;
  const cs = optObj(o.consoleSize, `${field}.consoleSize`);
  if (cs) consoleSize = { height: uint32(cs.height, `${field}.consoleSize.height`), width: uint32(cs.width, `${field}.consoleSize.width`) };
  const user = obj(o.user ?? fail(`${field}.user`, 'is required'), `${field}.user`);
  const uid = uint32(user.uid, `${field}.user.uid`);
  const gid = uint32(user.gid, `${field}.user.gid`);
  const umask = user.umask === undefined || user.umask === null ? undefined : int(user.umask, `${field}.user.umask`, 0, 0o777);
  const additionalGids =
    user.additionalGids === undefined || user.additionalGids === null
      ? undefined
      : (Array.isArray(user.additionalGids) ? user.additionalGids : fail(`${field}.user.additionalGids`, 'must be an array')).map((g, i) => uint32(g, `${field}.user.additionalGids[${i}]`));
  if (o.commandLine !== undefined) warnings.push(`${field}.commandLine is for Windows; ignored`);
  const args = o.args === undefined ? fail(`${field}.args`, 'is required (the program to run)') : strArray(o.args, `${field}.args`);
  if (args.length === 0 || args[0] === '') fail(`${field}.args`, 'must name a program to run');
  const env = optStrArray(o.env, `${field}.env`) ?? [];
  env.forEach((e, i) => {
    if (!e.includes('=') || e.startsWith('=')) fail(`${field}.env[${i}]`, `${JSON.stringify(e)} is not KEY=VALUE`);
  });
  const cwd = absPath(o.cwd, `${field}.cwd`);
  const caps = o.capabilities === undefined || o.capabilities === null ? undefined : capabilities(o.capabilities, `${field}.capabilities`, warnings);
  const rl = o.rlimits === undefined || o.rlimits === null ? undefined : rlimits(o.rlimits, `${field}.rlimits`);
  const noNewPrivileges = optBool(o.noNewPrivileges, `${field}.noNewPrivileges`);
  if (o.oomScoreAdj !== undefined && o.oomScoreAdj !== null) int(o.oomScoreAdj, `${field}.oomScoreAdj`, -1000, 1000);
  optStr(o.apparmorProfile, `${field}.apparmorProfile`);
  optStr(o.selinuxLabel, `${field}.selinuxLabel`);
  return {
    process: { argv: args, env, cwd, uid, gid, additionalGids, umask, capabilities: caps, noNewPrivileges, rlimits: rl },
    terminal,
    consoleSize,
  };
}

/** "64m", "65536k", "1g", "4096": bytes, or undefined for what tmpfs would take but tsvisor cannot ("50%"). */
export function parseSize(s: string, field: string): number | undefined {
  const m = /^(\d+)([kmgtpe]?)$/i.exec(s);
  if (!m) {
    if (/^\d+%$/.test(s)) return undefined;
    fail(field, `${JSON.stringify(s)} is not a size`);
  }
  const mult: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50, e: 2 ** 60 };
  return Number(m[1]) * mult[m[2].toLowerCase()];
}

/** The file systems a mount of this type becomes. */
const MOUNT_TYPES = ['bind', 'tmpfs', 'proc', 'sysfs', 'devpts', 'mqueue', 'cgroup', 'cgroup2'];

/** The OCI mounts as the sandbox's mount specs, in order. */
function mountSpecs(v: unknown, bundle: string, warnings: string[]): MountSpec[] {
  if (!Array.isArray(v)) fail('mounts', `must be an array, not ${kind(v)}`);
  const out: MountSpec[] = [];
  v.forEach((x, i) => {
    const f = `mounts[${i}]`;
    const o = obj(x, f);
    const dest = absPath(o.destination, `${f}.destination`);
    const type = optStr(o.type, `${f}.type`) ?? '';
    const source = optStr(o.source, `${f}.source`);
    const options = optStrArray(o.options, `${f}.options`) ?? [];
    let readOnly = false;
    let bind = type === 'bind';
    let sizeBytes: number | undefined;
    let mode: number | undefined;
    const flags = { nosuid: false, nodev: false, noexec: false };
    for (const opt of options) {
      if (opt === 'ro') readOnly = true;
      else if (opt === 'rw') readOnly = false;
      else if (opt === 'bind' || opt === 'rbind') bind = true;
      else if (opt === 'nosuid' || opt === 'nodev' || opt === 'noexec') flags[opt] = true;
      else if (opt === 'suid') flags.nosuid = false;
      else if (opt === 'dev') flags.nodev = false;
      else if (opt === 'exec') flags.noexec = false;
      else if (opt.startsWith('size=')) {
        sizeBytes = parseSize(opt.slice(5), `${f}.options`);
        if (sizeBytes === undefined) warnings.push(`${f}: ${opt} is not supported; the default tmpfs size applies`);
      } else if (opt.startsWith('mode=')) {
        if (!/^[0-7]{1,4}$/.test(opt.slice(5))) fail(`${f}.options`, `${JSON.stringify(opt)}: the mode must be octal`);
        mode = parseInt(opt.slice(5), 8);
      }
      // Propagation, atime and file-system specific options (newinstance, ptmxmode, gid, nr_inodes …) have no effect here.
    }
    const common = { target: dest, ...(flags.nosuid ? { nosuid: true } : {}), ...(flags.nodev ? { nodev: true } : {}), ...(flags.noexec ? { noexec: true } : {}) };
    if (dest === '/dev/shm' && (bind || type === 'tmpfs')) {
      // As runsc: the sandbox's own tmpfs, never a host directory.
      out.push({ kind: 'tmpfs', ...common, mode: mode ?? 0o1777, sizeBytes: sizeBytes ?? 64 * 2 ** 20, readOnly });
      return;
    }
    if (bind) {
      if (source === undefined || source === '') fail(`${f}.source`, 'a bind mount needs a source');
      const hostPath = path.resolve(bundle, source);
      try {
        fs.statSync(hostPath);
      } catch (e) {
        fail(`${f}.source`, `${hostPath}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
      }
      out.push({ kind: 'bind', source: hostPath, ...common, readOnly });
      return;
    }
    switch (type) {
      case 'proc':
        out.push({ kind: 'proc', ...common, readOnly });
        return;
      case 'sysfs':
        out.push({ kind: 'sys', ...common, readOnly });
        return;
      case 'tmpfs':
        // The container's /dev: the sandbox's device file system (a tmpfs with the standard devices).
        if (dest === '/dev') out.push({ kind: 'dev', ...common, readOnly });
        else out.push({ kind: 'tmpfs', ...common, readOnly, ...(sizeBytes !== undefined ? { sizeBytes } : {}), ...(mode !== undefined ? { mode } : {}) });
        return;
      case 'mqueue':
        out.push({ kind: 'tmpfs', ...common, mode: 0o1777, sizeBytes: 2 ** 20, readOnly });
        return;
      case 'cgroup':
      case 'cgroup2':
        // An empty read-only directory: the sandbox has no cgroups to show.
        out.push({ kind: 'tmpfs', ...common, mode: 0o555, sizeBytes: 4096, readOnly: true });
        return;
      case 'devpts':
        // /dev/pts is a directory of the sandbox's /dev; a devpts comes with terminals.
        return;
      case '':
        fail(`${f}.type`, 'is required for a mount that is not a bind mount');
        break;
      default:
        fail(`${f}.type`, `${JSON.stringify(type)} is not supported (supported: ${MOUNT_TYPES.join(', ')})`);
    }
  });
  return out;
}

function hookList(v: unknown, field: string): OciHook[] {
  if (!Array.isArray(v)) fail(field, `must be an array, not ${kind(v)}`);
  return v.map((x, i) => {
    const f = `${field}[${i}]`;
    const o = obj(x, f);
    const hook: OciHook = { path: absPath(o.path, `${f}.path`) };
    const args = optStrArray(o.args, `${f}.args`);
    if (args) hook.args = args;
    const env = optStrArray(o.env, `${f}.env`);
    if (env) hook.env = env;
    if (o.timeout !== undefined && o.timeout !== null) hook.timeout = int(o.timeout, `${f}.timeout`, 1, 2 ** 31 - 1);
    return hook;
  });
}

function hooks(v: unknown, warnings: string[]): Hooks {
  const o = obj(v, 'hooks');
  const out: Hooks = {};
  for (const [k, x] of Object.entries(o)) {
    if (!(HOOK_KINDS as readonly string[]).includes(k)) {
      warnings.push(`hooks.${k}: not a hook the runtime spec defines; ignored`);
      continue;
    }
    if (x === null) continue;
    out[k as HookKind] = hookList(x, `hooks.${k}`);
  }
  return out;
}

function namespaces(v: unknown): void {
  if (!Array.isArray(v)) fail('linux.namespaces', `must be an array, not ${kind(v)}`);
  const seen = new Set<string>();
  v.forEach((x, i) => {
    const f = `linux.namespaces[${i}]`;
    const o = obj(x, f);
    const type = str(o.type, `${f}.type`);
    if (!(NAMESPACE_TYPES as readonly string[]).includes(type)) fail(`${f}.type`, `unknown namespace type ${JSON.stringify(type)}`);
    if (seen.has(type)) fail(`${f}.type`, `the ${type} namespace is given twice`);
    seen.add(type);
    const p = optStr(o.path, `${f}.path`);
    if (p !== undefined && p !== '') {
      fail(`${f}.path`, `joining an existing ${type} namespace (${p}) is not supported: the sandbox has namespaces of its own`);
    }
  });
}

/** linux.resources.cpu (also the cpu object of an update's --resources). */
export function cpuResources(v: unknown, field: string): CpuResources {
  const o = obj(v, field);
  const num = (k: string, min: number): number | undefined => (o[k] === undefined || o[k] === null ? undefined : int(o[k], `${field}.${k}`, min, Number.MAX_SAFE_INTEGER));
  const out: CpuResources = {};
  const shares = num('shares', 0);
  if (shares) out.shares = shares;
  const quota = num('quota', -1);
  if (quota !== undefined && quota !== 0) out.quota = quota;
  const period = num('period', 0);
  if (period) out.period = period;
  const rtRuntime = num('realtimeRuntime', -1);
  if (rtRuntime) out.realtimeRuntime = rtRuntime;
  const rtPeriod = num('realtimePeriod', 0);
  if (rtPeriod) out.realtimePeriod = rtPeriod;
  const cpus = optStr(o.cpus, `${field}.cpus`);
  if (cpus) out.cpus = cpus;
  const mems = optStr(o.mems, `${field}.mems`);
  if (mems) out.mems = mems;
  return out;
}

function pathList(v: unknown, field: string): string[] {
  return strArray(v, field).map((p, i) => absPath(p, `${field}[${i}]`));
}

/** Reads BUNDLE/config.json. Throws ConfigError. */
export function loadBundle(bundle: string, opts: ParseOptions = {}): ContainerConfig {
  const dir = path.resolve(bundle);
  const file = path.join(dir, 'config.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? `${file}: no such file (is ${dir} a bundle?)` : `${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  return parseConfig(json, dir, opts);
}

/** Validates a parsed config.json of the bundle at `bundle` (absolute). Throws ConfigError. */
export function parseConfig(json: unknown, bundle: string, opts: ParseOptions = {}): ContainerConfig {
  const warnings: string[] = [];
  const c = obj(json, 'config.json');
  const ociVersion = checkVersion(c.ociVersion);

  const root = obj(c.root ?? fail('root', 'is required'), 'root');
  const rootfs = path.resolve(bundle, str(root.path, 'root.path'));
  let st: fs.Stats;
  try {
    st = fs.statSync(rootfs);
  } catch {
    fail('root.path', `${rootfs}: no such directory`);
  }
  if (!st.isDirectory()) fail('root.path', `${rootfs} is not a directory`);
  const readOnly = optBool(root.readonly, 'root.readonly') ?? false;

  if (c.process === undefined || c.process === null) fail('process', 'is required');
  const proc = parseProcess(c.process, 'process', warnings);
  const hostname = optStr(c.hostname, 'hostname');
  optStr(c.domainname, 'domainname');

  const mounts = c.mounts === undefined || c.mounts === null ? [] : mountSpecs(c.mounts, bundle, warnings);
  // The sandbox always has a /dev with the standard devices (as runc creates them).
  if (!mounts.some((m) => m.target.replace(/\/+$/, '') === '/dev')) mounts.unshift({ kind: 'dev', target: '/dev' });

  let memoryLimit: number | undefined;
  let pidsLimit: number | undefined;
  let cpu: CpuResources | undefined;
  let cgroupsPath: string | undefined;
  const sysctl: Record<string, number> = {};
  let maskedPaths: string[] | undefined;
  let readonlyPaths: string[] | undefined;
  const linux = optObj(c.linux, 'linux');
  if (linux) {
    if (linux.namespaces !== undefined && linux.namespaces !== null) namespaces(linux.namespaces);
    cgroupsPath = optStr(linux.cgroupsPath, 'linux.cgroupsPath') || undefined;
    if (linux.maskedPaths !== undefined && linux.maskedPaths !== null) maskedPaths = pathList(linux.maskedPaths, 'linux.maskedPaths');
    if (linux.readonlyPaths !== undefined && linux.readonlyPaths !== null) readonlyPaths = pathList(linux.readonlyPaths, 'linux.readonlyPaths');
    if (linux.sysctl !== undefined && linux.sysctl !== null) {
      for (const [k, v] of Object.entries(strMap(linux.sysctl, 'linux.sysctl'))) {
        if (k === 'net.ipv4.ip_unprivileged_port_start') {
          // proc_dointvec_minmax with 0..65535 (ip_local_port_range's low end is also a bound on Linux; not modelled).
          if (!/^\s*\d+\s*$/.test(v) || Number(v) > 65535) throw new ConfigError(`linux.sysctl.${k}: must be an integer from 0 to 65535, not ${JSON.stringify(v)}`);
          sysctl[k] = Number(v);
        } else warnings.push(`linux.sysctl.${k}: not applied`);
      }
    }
    const res = optObj(linux.resources, 'linux.resources');
    if (res) {
      const mem = optObj(res.memory, 'linux.resources.memory');
      if (mem && mem.limit !== undefined && mem.limit !== null) {
        const l = int(mem.limit, 'linux.resources.memory.limit', -1, Number.MAX_SAFE_INTEGER);
        if (l > 0) {
          if (l < 4 * 2 ** 20) fail('linux.resources.memory.limit', `${l} bytes is too little (at least 4 MiB)`);
          memoryLimit = l;
        }
      }
      const pids = optObj(res.pids, 'linux.resources.pids');
      if (pids && pids.limit !== undefined && pids.limit !== null) {
        const l = int(pids.limit, 'linux.resources.pids.limit', -1, Number.MAX_SAFE_INTEGER);
        if (l > 0) pidsLimit = l;
      }
      if (res.cpu !== undefined && res.cpu !== null) cpu = cpuResources(res.cpu, 'linux.resources.cpu');
    }
  }

  const hk = c.hooks === undefined || c.hooks === null ? {} : hooks(c.hooks, warnings);
  const annotations = c.annotations === undefined || c.annotations === null ? {} : strMap(c.annotations, 'annotations');

  return {
    ociVersion,
    bundle,
    rootfs,
    hostname,
    process: proc.process,
    terminal: proc.terminal,
    consoleSize: proc.consoleSize,
    mounts: {
      root: { kind: 'host', path: rootfs, overlay: opts.overlay !== false, readOnly },
      mounts,
      ...(maskedPaths ? { maskedPaths } : {}),
      ...(readonlyPaths ? { readonlyPaths } : {}),
    },
    memoryLimit,
    pidsLimit,
    cpu,
    cgroupsPath,
    sysctl,
    hooks: hk,
    annotations,
    warnings,
  };
}

// The parts of the OCI runtime specification (github.com/opencontainers/runtime-spec,
// config.md, config-linux.md, runtime.md) that tsvisor reads or writes.
import { CAPABILITY_NAMES } from '../abi/linux/capability.js';

/** The spec version tsvisor writes and reports (state, features, spec). */
export const OCI_VERSION = '1.1.0';
/** The oldest and newest config versions accepted: every 1.x. */
export const OCI_VERSION_MIN = '1.0.0';
export const OCI_VERSION_MAX = '1.2.0';

export interface OciUser {
  uid: number;
  gid: number;
  umask?: number;
  additionalGids?: number[];
  username?: string;
}

export interface OciCapabilities {
  bounding?: string[];
  effective?: string[];
  inheritable?: string[];
  permitted?: string[];
  ambient?: string[];
}

export interface OciRlimit {
  type: string;
  soft: number;
  hard: number;
}

export interface OciProcess {
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
  user: OciUser;
  args?: string[];
  commandLine?: string;
  env?: string[];
  cwd: string;
  capabilities?: OciCapabilities;
  rlimits?: OciRlimit[];
  noNewPrivileges?: boolean;
  apparmorProfile?: string;
  oomScoreAdj?: number;
  selinuxLabel?: string;
}

export interface OciMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface OciHook {
  path: string;
  args?: string[];
  env?: string[];
  timeout?: number;
}

export const HOOK_KINDS = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'] as const;
export type HookKind = (typeof HOOK_KINDS)[number];
export type OciHooks = Partial<Record<HookKind, OciHook[]>>;

export interface OciNamespace {
  type: string;
  path?: string;
}

export interface OciLinux {
  namespaces?: OciNamespace[];
  uidMappings?: unknown[];
  gidMappings?: unknown[];
  resources?: {
    memory?: { limit?: number; reservation?: number; swap?: number };
    pids?: { limit?: number };
    cpu?: Record<string, unknown>;
    devices?: unknown[];
    [k: string]: unknown;
  };
  sysctl?: Record<string, string>;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  cgroupsPath?: string;
  [k: string]: unknown;
}

export interface OciSpec {
  ociVersion: string;
  process?: OciProcess;
  root?: { path: string; readonly?: boolean };
  hostname?: string;
  domainname?: string;
  mounts?: OciMount[];
  hooks?: OciHooks;
  annotations?: Record<string, string>;
  linux?: OciLinux;
}

/** The state of a container (runtime.md "State"), as `state` prints it and hooks read it on stdin. */
export interface OciState {
  ociVersion: string;
  id: string;
  pid: number;
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  bundle: string;
  rootfs: string;
  created: string;
  owner: string;
  annotations?: Record<string, string>;
}

const DEFAULT_CAPS = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

/**
 * The config.json `tsvisor spec` writes (as `runc spec`): a shell in
 * ./rootfs. Unlike runc's, process.terminal is false: terminals are not
 * supported yet. `rootless` adds a user namespace mapping the caller's IDs to root.
 */
export function defaultSpec(opts: { rootless?: boolean; uid?: number; gid?: number } = {}): OciSpec {
  const spec: OciSpec = {
    ociVersion: OCI_VERSION,
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: ['sh'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: {
        bounding: [...DEFAULT_CAPS],
        effective: [...DEFAULT_CAPS],
        permitted: [...DEFAULT_CAPS],
        ambient: [...DEFAULT_CAPS],
      },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'tsvisor',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
    ],
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' }],
      maskedPaths: [
        '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
        '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
  if (opts.rootless) {
    const linux = spec.linux!;
    linux.namespaces = [...(linux.namespaces ?? []), { type: 'user' }];
    linux.uidMappings = [{ containerID: 0, hostID: opts.uid ?? 0, size: 1 }];
    linux.gidMappings = [{ containerID: 0, hostID: opts.gid ?? 0, size: 1 }];
    delete linux.resources;
  }
  return spec;
}

export const NAMESPACE_TYPES = ['pid', 'network', 'mount', 'ipc', 'uts', 'user', 'cgroup', 'time'] as const;

/** `tsvisor features` (runc features): what this runtime understands. */
export function features(version: string): Record<string, unknown> {
  return {
    ociVersionMin: OCI_VERSION_MIN,
    ociVersionMax: OCI_VERSION_MAX,
    hooks: [...HOOK_KINDS],
    mountOptions: [
      'bind', 'rbind', 'ro', 'rw', 'nosuid', 'suid', 'nodev', 'dev', 'noexec', 'exec', 'relatime', 'norelatime', 'strictatime',
      'private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave', 'size=', 'mode=',
    ],
    linux: {
      namespaces: [...NAMESPACE_TYPES],
      capabilities: [...CAPABILITY_NAMES],
      cgroup: { v1: false, v2: false, systemd: false, systemdUser: false },
      seccomp: { enabled: false },
      apparmor: { enabled: false },
      selinux: { enabled: false },
      mountTypes: ['bind', 'tmpfs', 'proc', 'sysfs', 'devpts', 'mqueue', 'cgroup', 'cgroup2'],
    },
    annotations: { 'io.github.tsvisor.version': version },
  };
}

// CPU limits through the host's cgroups (linux.resources.cpu and
// linux.cgroupsPath), as runc and runsc apply them: the sandbox process
// joins the container's cgroup before it boots, so the sentry and every
// stub (forked later) share the quota. Only the CPU controllers: a memory
// cgroup would count the sentry's own heap against the guest's limit (the
// MemoryFile limit is the guest's), and guest pids are the sandbox's own.
//
// cgroup v1 (a hierarchy per controller; cpu and cpuacct, joined or not):
// cpu.cfs_quota_us, cpu.cfs_period_us, cpu.shares. cgroup v2 (unified):
// cpu.max ("QUOTA PERIOD" or "max PERIOD") and cpu.weight (from shares,
// runc's conversion), with +cpu enabled in the parents' subtree_control.
// cpuset and realtime settings are not applied (a warning says so).
//
// The directories made for a container are recorded in its state directory
// (cgroups.json): the sandbox process joins them, update writes to them,
// delete removes them.
import fs from 'node:fs';
import path from 'node:path';

export interface CpuResources {
  shares?: number;
  /** µs per period; -1 or absent: no quota. */
  quota?: number;
  period?: number;
  cpus?: string;
  mems?: string;
  realtimeRuntime?: number;
  realtimePeriod?: number;
}

/** The cgroups of one container: the directories the sandbox process joins, and their kind. */
export interface ContainerCgroups {
  version: 1 | 2;
  /** cpu (and cpuacct, when mounted apart) directories. */
  dirs: string[];
}

export const CGROUPS_FILE = 'cgroups.json';

/** Where the CPU controller is: v1 mount points of cpu (and cpuacct), or the v2 root that offers cpu. */
function cpuHierarchy(): { version: 1; mounts: string[] } | { version: 2; root: string } | null {
  let info: string;
  try {
    info = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return null;
  }
  const v1: string[] = [];
  let v2: string | null = null;
  for (const line of info.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const [fstype, , superOpts] = line.slice(sep + 3).split(' ');
    const mountPoint = line.split(' ')[4];
    if (fstype === 'cgroup') {
      const opts = (superOpts ?? '').split(',');
      if (opts.includes('cpu') || opts.includes('cpuacct')) v1.push(mountPoint);
    } else if (fstype === 'cgroup2' && v2 === null) {
      try {
        if (fs.readFileSync(path.join(mountPoint, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('cpu')) v2 = mountPoint;
      } catch {
        // not readable
      }
    }
  }
  if (v1.length > 0) return { version: 1, mounts: [...new Set(v1)] };
  if (v2 !== null) return { version: 2, root: v2 };
  return null;
}

/**
 * A cgroupsPath as a path below a hierarchy's root: "/docker/ID" as it is,
 * a relative one below the root too, systemd's "SLICE:PREFIX:NAME" as
 * SLICE/PREFIX-NAME.scope (how runc's systemd driver names the scope).
 */
export function cgroupRelPath(cgroupsPath: string | undefined, id: string): string {
  const p = cgroupsPath ?? '';
  const systemd = /^([^:/]*):([^:]*):([^:]*)$/.exec(p);
  let rel: string;
  if (systemd) {
    const [, slice, prefix, name] = systemd;
    rel = path.posix.join(slice || 'system.slice', `${prefix ? `${prefix}-` : ''}${name || id}.scope`);
  } else rel = p === '' ? path.posix.join('tsvisor', id) : p;
  const norm = path.posix.normalize('/' + rel);
  if (norm === '/') throw new Error(`linux.cgroupsPath ${JSON.stringify(cgroupsPath)}: not a cgroup below the root`);
  return norm.slice(1);
}

function write(dir: string, file: string, value: string): void {
  fs.writeFileSync(path.join(dir, file), value);
}

/** runc's shares → cpu.weight conversion (cgroup v2). */
function sharesToWeight(shares: number): number {
  return shares === 0 ? 0 : 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

/** Writes the CPU settings to the container's cgroups; returns warnings for those not applied. Throws Error on a write that fails. */
export function applyCpu(cg: ContainerCgroups, cpu: CpuResources): string[] {
  const warnings: string[] = [];
  if (cpu.cpus || cpu.mems) warnings.push('linux.resources.cpu.cpus/mems: cpusets are not applied');
  if (cpu.realtimeRuntime || cpu.realtimePeriod) warnings.push('linux.resources.cpu.realtime*: not applied');
  for (const dir of cg.dirs) {
    if (cg.version === 1) {
      if (!fs.existsSync(path.join(dir, 'cpu.cfs_quota_us'))) continue; // a cpuacct-only hierarchy
      if (cpu.shares) write(dir, 'cpu.shares', String(cpu.shares));
      if (cpu.period) write(dir, 'cpu.cfs_period_us', String(cpu.period));
      if (cpu.quota !== undefined && cpu.quota !== 0) write(dir, 'cpu.cfs_quota_us', String(cpu.quota > 0 ? cpu.quota : -1));
    } else {
      if (cpu.shares) write(dir, 'cpu.weight', String(sharesToWeight(cpu.shares)));
      if ((cpu.quota !== undefined && cpu.quota !== 0) || cpu.period) {
        const [oldQuota, oldPeriod] = fs.readFileSync(path.join(dir, 'cpu.max'), 'utf8').trim().split(/\s+/);
        const quota = cpu.quota !== undefined && cpu.quota !== 0 ? (cpu.quota > 0 ? String(cpu.quota) : 'max') : oldQuota;
        write(dir, 'cpu.max', `${quota} ${cpu.period || oldPeriod}`);
      }
    }
  }
  return warnings;
}

/**
 * Makes the container's CPU cgroups (mkdir -p; in v2, +cpu in every
 * parent's subtree_control) and applies cpu. Returns them, or null with a
 * warning when the host has no CPU controller the runtime can use.
 */
export function setUpCgroups(cgroupsPath: string | undefined, id: string, cpu: CpuResources, warn: (m: string) => void): ContainerCgroups | null {
  const h = cpuHierarchy();
  if (!h) {
    warn('no cgroup with a cpu controller is mounted: CPU limits are not applied');
    return null;
  }
  const rel = cgroupRelPath(cgroupsPath, id);
  let cg: ContainerCgroups;
  try {
    if (h.version === 1) {
      const dirs = h.mounts.map((m) => path.join(m, rel));
      for (const d of dirs) fs.mkdirSync(d, { recursive: true });
      cg = { version: 1, dirs };
    } else {
      let dir = h.root;
      for (const part of rel.split('/')) {
        try {
          write(dir, 'cgroup.subtree_control', '+cpu');
        } catch {
          // already on, or the parent has processes of its own (v2's rule); the mkdir below tells
        }
        dir = path.join(dir, part);
        fs.mkdirSync(dir, { recursive: true });
      }
      cg = { version: 2, dirs: [dir] };
    }
  } catch (e) {
    warn(`cannot make the cgroup ${rel} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): CPU limits are not applied`);
    return null;
  }
  for (const w of applyCpu(cg, cpu)) warn(w);
  return cg;
}

/** Moves process pid (all its threads) into the container's cgroups. Throws Error. */
export function joinCgroups(cg: ContainerCgroups, pid: number): void {
  for (const dir of cg.dirs) write(dir, 'cgroup.procs', String(pid));
}

/** Removes the container's cgroups once their processes have gone (retried briefly: a dying stub may still be in one). */
export async function removeCgroups(cg: ContainerCgroups): Promise<void> {
  for (const dir of cg.dirs) {
    for (let i = 0; i < 50; i++) {
      try {
        fs.rmdirSync(dir);
        break;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') break;
        if (code !== 'EBUSY') break;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }
}

/** The container's cgroups recorded in its state directory, or null. */
export function readCgroups(stateDir: string): ContainerCgroups | null {
  try {
    const cg = JSON.parse(fs.readFileSync(path.join(stateDir, CGROUPS_FILE), 'utf8')) as ContainerCgroups;
    return (cg.version === 1 || cg.version === 2) && Array.isArray(cg.dirs) ? cg : null;
  } catch {
    return null;
  }
}

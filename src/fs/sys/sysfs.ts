// sysfs (man 5 sysfs), the minimal read-only part programs look at: the CPU
// masks glibc's get_nprocs / get_nprocs_conf and nproc read, one cpuN
// directory per CPU (what sysconf(_SC_NPROCESSORS_CONF) counts on older
// glibc), the transparent-hugepage mode, and an empty fs/cgroup for the boot
// code to mount on. The file system is read-only: writes are EROFS.
import type { Clock } from '../../vfs/timestamp.js';
import { realtimeClock } from '../../vfs/timestamp.js';
import { GeneratedFile, StaticDir, SynthFs } from '../proc/synthetic.js';

export const SYSFS_MAGIC = 0x62656572;

export interface SysfsOptions {
  /** CPUs of the sandbox (cpu0 … cpuN-1). */
  cpus: number;
  clock?: Clock;
  /** transparent_hugepage/enabled (default "always [madvise] never"). */
  thpEnabled?: string;
}

/** "0-N" for N+1 CPUs, "0" for one. */
export function cpuRange(n: number): string {
  return n <= 1 ? '0' : `0-${n - 1}`;
}

export class SysFileSystem extends SynthFs {
  declare root: StaticDir;

  constructor(opts: SysfsOptions) {
    super('sysfs', SYSFS_MAGIC, true, opts.clock ?? realtimeClock);
    const n = Math.max(1, Math.floor(opts.cpus));
    const file = (text: string): GeneratedFile => new GeneratedFile(this, 0o444, () => `${text}\n`);
    const root = new StaticDir(this, 0o555);
    this.root = root;
    const cpu = root.dir('devices', 0o755).dir('system', 0o755).dir('cpu', 0o755);
    const kernel = root.dir('kernel', 0o755);
    const fs = root.dir('fs', 0o755);
    for (let i = 0; i < n; i++) cpu.dir(`cpu${i}`, 0o755);
    cpu.add('online', file(cpuRange(n)));
    cpu.add('possible', file(cpuRange(n)));
    cpu.add('present', file(cpuRange(n)));
    kernel.dir('mm', 0o755).dir('transparent_hugepage', 0o755).add('enabled', file(opts.thpEnabled ?? 'always [madvise] never'));
    fs.dir('cgroup', 0o755);
  }
}

/** A sysfs instance; mount it at /sys (read-only, as container runtimes do). */
export function createSysfs(opts: SysfsOptions): SysFileSystem {
  return new SysFileSystem(opts);
}

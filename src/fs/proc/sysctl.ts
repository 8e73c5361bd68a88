// /proc/sys: the sysctls programs read (man 5 proc_sys). Values are the
// sandbox's. Only kernel/hostname is writable (when the kernel lets it be);
// the others are read-only, and opening them for writing is EACCES, as
// proc_sys_permission gives for a 0444 sysctl even to root.
import { Errno } from '../../abi/linux/errno.js';
import { INOTIFY_MAX_QUEUED_EVENTS, INOTIFY_MAX_USER_INSTANCES, INOTIFY_MAX_USER_WATCHES } from '../../abi/linux/inotify.js';
import { netSysctl } from '../../net/inet.js';
import { CAP_LAST_CAP } from './format.js';
import type { ProcFileSystem } from './procfs.js';
import { GeneratedFile, StaticDir, SynthInode } from './synthetic.js';

/** __NEW_UTS_LEN: the longest host or domain name. */
const UTS_LEN = 64;
/** /proc/sys/fs/nr_open: RLIMIT_NOFILE can never exceed it. */
export const NR_OPEN = 1048576;
/** /proc/sys/kernel/pid_max (PID_MAX_LIMIT on 64-bit). */
export const PID_MAX = 4194304;
/** /proc/sys/kernel/ngroups_max (NGROUPS_MAX). */
export const NGROUPS_MAX = 65536;

/** A read-only sysctl: "value\n"; opening for writing is EACCES. */
class ReadOnlySysctl extends GeneratedFile {
  override open(flags: number) {
    if ((flags & 0o3) !== 0) return -Errno.EACCES;
    return super.open(flags);
  }
}

/** proc_dostring on write: the text up to a newline or NUL, cut to maxlen - 1 bytes. */
export function sysctlString(data: Uint8Array, max: number): string {
  let end = 0;
  while (end < data.length && end < max && data[end] !== 0 && data[end] !== 0x0a) end++;
  return Buffer.from(data.subarray(0, end)).toString('latin1');
}

/** Fills /proc/sys (dir) for pfs. Entries are sorted by name, as sysctl tables are. */
export function buildProcSys(pfs: ProcFileSystem, sys: StaticDir): void {
  const view = pfs.view;
  const value = (render: () => string | number): SynthInode => new ReadOnlySysctl(pfs, 0o444, () => `${render()}\n`);

  const fs = sys.dir('fs');
  fs.add('file-max', value(() => '9223372036854775807'));
  const inotify = fs.dir('inotify');
  inotify.add('max_queued_events', value(() => INOTIFY_MAX_QUEUED_EVENTS));
  inotify.add('max_user_instances', value(() => INOTIFY_MAX_USER_INSTANCES));
  inotify.add('max_user_watches', value(() => INOTIFY_MAX_USER_WATCHES));
  fs.add('nr_open', value(() => NR_OPEN));

  const kernel = sys.dir('kernel');
  kernel.add('cap_last_cap', value(() => CAP_LAST_CAP));
  kernel.add('domainname', value(() => view.domainname?.() ?? '(none)'));
  const setHostname = view.setHostname?.bind(view);
  kernel.add(
    'hostname',
    setHostname
      ? new GeneratedFile(pfs, 0o644, () => `${view.hostname()}\n`, {
          maxWrite: UTS_LEN,
          write: (data, count) => {
            const r = setHostname(sysctlString(data, UTS_LEN));
            return r < 0 ? r : count;
          },
        })
      : value(() => view.hostname()),
  );
  kernel.add('ngroups_max', value(() => NGROUPS_MAX));
  kernel.add('osrelease', value(() => view.release));
  kernel.add('ostype', value(() => 'Linux'));
  kernel.add('pid_max', value(() => PID_MAX));
  const random = kernel.dir('random');
  random.add('boot_id', value(() => pfs.bootId));
  random.add('entropy_avail', value(() => 256));
  random.add('poolsize', value(() => 256));
  random.add('uuid', value(() => pfs.uuid()));

  const net = sys.dir('net');
  net.dir('core').add('somaxconn', value(() => 4096));
  net.dir('ipv4').add('ip_unprivileged_port_start', value(() => netSysctl.ipUnprivilegedPortStart));

  const vm = sys.dir('vm');
  vm.add('max_map_count', value(() => 65530));
  vm.add('overcommit_memory', value(() => 0));
}

// Identity syscalls (man 2 getpid, getuid, getgroups).
import { Errno } from '../abi/linux/errno.js';
import { SYS } from '../abi/linux/syscalls.js';
import type { Kernel } from '../kernel/kernel.js';
import { scratch, scratchView } from './scratch.js';
import type { SyscallTable } from './table.js';

export function registerIdentity(table: SyscallTable, _k: Kernel): void {
  table[SYS.getpid] = (t) => t.tg.pid;
  table[SYS.gettid] = (t) => t.tid;
  table[SYS.getppid] = (t) => t.tg.ppid;
  table[SYS.getuid] = (t) => t.creds.uid;
  table[SYS.geteuid] = (t) => t.creds.euid;
  table[SYS.getgid] = (t) => t.creds.gid;
  table[SYS.getegid] = (t) => t.creds.egid;
  table[SYS.getgroups] = (t, a) => {
    const size = a.int(0);
    const groups = t.creds.groups;
    // kernel/groups.c: only a negative size is invalid; 0 asks for the count.
    if (size < 0) return -Errno.EINVAL;
    if (size === 0 || groups.length === 0) return groups.length;
    if (size < groups.length) return -Errno.EINVAL;
    for (let i = 0; i < groups.length; i++) scratchView.setUint32(i * 4, groups[i], true);
    const r = t.tg.mm.writeBytes(a.u64(1), scratch, 0, groups.length * 4);
    return r < 0 ? r : groups.length;
  };
}

// The file-system syscalls, one file per family; each decodes its
// arguments, calls the VFS (src/vfs) and encodes the result.
import type { Kernel } from '../../kernel/kernel.js';
import type { SyscallTable } from '../table.js';
import { registerAdvice } from './advice.js';
import { registerAttr } from './attr.js';
import { registerDir } from './dir.js';
import { registerLocks } from './locks.js';
import { registerMemfd } from './memfd.js';
import { registerMount } from './mount.js';
import { registerNamei } from './namei.js';
import { registerOpen } from './open.js';
import { registerSeek } from './seek.js';
import { registerSplice } from './splice.js';
import { registerStat } from './stat.js';
import { registerXattr } from './xattr.js';

export function registerFs(table: SyscallTable, k: Kernel): void {
  registerOpen(table, k);
  registerStat(table, k);
  registerDir(table, k);
  registerNamei(table, k);
  registerAttr(table, k);
  registerXattr(table, k);
  registerSeek(table, k);
  registerLocks(table, k);
  registerSplice(table, k);
  registerMemfd(table, k);
  registerMount(table, k);
  registerAdvice(table, k);
}

// Access-time updates (man 2 stat "atime", man 8 mount noatime / relatime /
// strictatime): relatime, the default, updates atime only when it is not
// newer than mtime or ctime, or is a day old.
import { OpenFlag } from '../abi/linux/fcntl.js';
import type { Inode } from './inode.js';
import { isDir } from './inode.js';
import { MountFlag, type Mount } from './mount.js';
import { compareTimestamps } from './timestamp.js';

const DAY = 24 * 60 * 60;

export function touchAtime(mount: Mount, inode: Inode, fileFlags = 0): void {
  if ((fileFlags & OpenFlag.O_NOATIME) !== 0 || mount.readOnly) return;
  const f = mount.flags;
  if ((f & MountFlag.MS_NOATIME) !== 0) return;
  if ((f & MountFlag.MS_NODIRATIME) !== 0 && isDir(inode)) return;
  const a = inode.getattr();
  const now = inode.fs.clock.now();
  if ((f & MountFlag.MS_STRICTATIME) === 0) {
    const stale = compareTimestamps(a.mtime, a.atime) >= 0 || compareTimestamps(a.ctime, a.atime) >= 0 || now.sec - a.atime.sec >= DAY;
    if (!stale) return;
  }
  if (compareTimestamps(a.atime, now) === 0) return;
  inode.setattr({ atime: now });
}

// Extended attributes of one tmpfs inode (simple_xattrs). The VFS has
// checked names, sizes and permissions; this keeps the values and applies
// XATTR_CREATE / XATTR_REPLACE (man 2 setxattr).
import { Errno } from '../../abi/linux/errno.js';
import { XattrFlag } from '../../vfs/inode.js';

/** The namespaces tmpfs stores (no system.* ACLs). */
const SUPPORTED = ['user.', 'trusted.', 'security.'];

function supported(name: string): boolean {
  return SUPPORTED.some((p) => name.startsWith(p));
}

export class XattrStore {
  private values: Map<string, Uint8Array> | null = null;

  get(name: string): Uint8Array | number {
    if (!supported(name)) return -Errno.EOPNOTSUPP;
    return this.values?.get(name) ?? -Errno.ENODATA;
  }

  set(name: string, value: Uint8Array, flags: number): number {
    if (!supported(name)) return -Errno.EOPNOTSUPP;
    const exists = this.values?.has(name) === true;
    if ((flags & XattrFlag.XATTR_CREATE) !== 0 && exists) return -Errno.EEXIST;
    if ((flags & XattrFlag.XATTR_REPLACE) !== 0 && !exists) return -Errno.ENODATA;
    (this.values ??= new Map()).set(name, value.slice());
    return 0;
  }

  remove(name: string): number {
    if (!supported(name)) return -Errno.EOPNOTSUPP;
    return this.values?.delete(name) === true ? 0 : -Errno.ENODATA;
  }

  names(): string[] {
    return this.values ? [...this.values.keys()] : [];
  }
}

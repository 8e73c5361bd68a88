// Limits of path names, symlinks and extended attributes (<linux/limits.h>,
// man 7 path_resolution, man 7 xattr).

/** Longest path component, in bytes. A longer one is ENAMETOOLONG. */
export const NAME_MAX = 255;
/** Size of a path buffer including the NUL: a path of PATH_MAX bytes or more is ENAMETOOLONG. */
export const PATH_MAX = 4096;
/** Symbolic links followed in one resolution before ELOOP (MAXSYMLINKS). */
export const MAXSYMLINKS = 40;
/** Longest extended attribute name, prefix included. */
export const XATTR_NAME_MAX = 255;
/** Largest extended attribute value. */
export const XATTR_SIZE_MAX = 65536;
/** Largest listxattr(2) result. */
export const XATTR_LIST_MAX = 65536;
/** Largest file offset of tmpfs and most file systems is 2^63-1; ours is what a number holds exactly. */
export const MAX_FILE_SIZE = Number.MAX_SAFE_INTEGER;

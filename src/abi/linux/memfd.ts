// memfd_create(2) flags (<linux/memfd.h>) and name limits (mm/memfd.c).

export const enum MfdFlag {
  MFD_CLOEXEC = 0x0001,
  MFD_ALLOW_SEALING = 0x0002,
  MFD_HUGETLB = 0x0004,
  /** Linux 6.3: not executable, and F_SEAL_EXEC from the start (sealing allowed). */
  MFD_NOEXEC_SEAL = 0x0008,
  /** Linux 6.3: executable (the default while vm.memfd_noexec is 0). */
  MFD_EXEC = 0x0010,
}

export const MFD_ALL_FLAGS = 0x1f;
/** With MFD_HUGETLB, bits 26..31 give log2 of the huge page size (MFD_HUGE_SHIFT, MFD_HUGE_MASK). */
export const MFD_HUGE_SHIFT = 26;
export const MFD_HUGE_MASK = 0x3f;

/** The file's name is "memfd:" + the caller's name, at most NAME_MAX bytes in all. */
export const MFD_NAME_PREFIX = 'memfd:';
export const MFD_NAME_MAX_LEN = 255 - MFD_NAME_PREFIX.length;

/** Linux 6.3's seal (<linux/fcntl.h>, newer than this machine's headers): the exec bits may no longer change. */
export const F_SEAL_EXEC = 0x0020;
/** Every seal F_ADD_SEALS knows (mm/memfd.c F_ALL_SEALS): F_SEAL_SEAL .. F_SEAL_EXEC. */
export const F_ALL_SEALS = 0x3f;

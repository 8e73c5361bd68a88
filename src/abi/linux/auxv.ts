// Auxiliary vector entry types (<uapi/linux/auxvec.h>, <asm/auxvec.h>; man 3 getauxval).

export const enum AT {
  NULL = 0, // end of vector
  IGNORE = 1,
  EXECFD = 2, // file descriptor of the program (binfmt_misc 'O')
  PHDR = 3, // program headers of the program
  PHENT = 4, // size of one program header
  PHNUM = 5, // number of program headers
  PAGESZ = 6,
  BASE = 7, // interpreter's load address
  FLAGS = 8,
  ENTRY = 9, // program's entry point
  NOTELF = 10,
  UID = 11,
  EUID = 12,
  GID = 13,
  EGID = 14,
  PLATFORM = 15, // string identifying the CPU
  HWCAP = 16,
  CLKTCK = 17, // frequency of times()
  SECURE = 23, // secure mode boolean
  BASE_PLATFORM = 24,
  RANDOM = 25, // address of 16 random bytes
  HWCAP2 = 26,
  RSEQ_FEATURE_SIZE = 27,
  RSEQ_ALIGN = 28,
  HWCAP3 = 29,
  HWCAP4 = 30,
  EXECFN = 31, // filename of the program
  SYSINFO = 32, // i386 only
  SYSINFO_EHDR = 33, // vDSO ELF header
  MINSIGSTKSZ = 51, // minimal stack size for signal delivery
}

/** AT_FLAGS bit: binfmt_misc preserved argv[0]. */
export const AT_FLAGS_PRESERVE_ARGV0 = 1;

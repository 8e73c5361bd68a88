// Fast user-space mutexes: <linux/futex.h>, man 2 futex, man 2 futex_waitv,
// man 2 set_robust_list; Linux kernel/futex/*.

/** futex(2) operations: the low bits of futex_op (after FUTEX_CMD_MASK). */
export const enum FutexCmd {
  FUTEX_WAIT = 0,
  FUTEX_WAKE = 1,
  /** Removed in Linux 2.6.26: ENOSYS. */
  FUTEX_FD = 2,
  FUTEX_REQUEUE = 3,
  FUTEX_CMP_REQUEUE = 4,
  FUTEX_WAKE_OP = 5,
  FUTEX_LOCK_PI = 6,
  FUTEX_UNLOCK_PI = 7,
  FUTEX_TRYLOCK_PI = 8,
  FUTEX_WAIT_BITSET = 9,
  FUTEX_WAKE_BITSET = 10,
  FUTEX_WAIT_REQUEUE_PI = 11,
  FUTEX_CMP_REQUEUE_PI = 12,
  FUTEX_LOCK_PI2 = 13,
}

/** Option bits of futex_op. */
export const enum FutexFlag {
  FUTEX_PRIVATE_FLAG = 128,
  FUTEX_CLOCK_REALTIME = 256,
  /** ~FUTEX_CMD_MASK: the option bits. */
  FUTEX_OPTION_MASK = 384,
}

/** Bits of a PI or robust futex word. */
export const enum FutexWord {
  FUTEX_WAITERS = 0x80000000,
  FUTEX_OWNER_DIED = 0x40000000,
  FUTEX_TID_MASK = 0x3fffffff,
}

/** val3 of FUTEX_WAIT_BITSET / FUTEX_WAKE_BITSET matching every waiter. */
export const FUTEX_BITSET_MATCH_ANY = 0xffffffff;

/** FUTEX_WAKE_OP operations (bits 28-30 of val3). */
export const enum FutexOpOp {
  FUTEX_OP_SET = 0,
  FUTEX_OP_ADD = 1,
  FUTEX_OP_OR = 2,
  FUTEX_OP_ANDN = 3,
  FUTEX_OP_XOR = 4,
  /** Bit 31 of val3 (as op << 28): the operand is 1 << oparg. */
  FUTEX_OP_OPARG_SHIFT = 8,
}

/** FUTEX_WAKE_OP comparisons (bits 24-27 of val3); compare the old value (as int) with cmparg. */
export const enum FutexOpCmp {
  FUTEX_OP_CMP_EQ = 0,
  FUTEX_OP_CMP_NE = 1,
  FUTEX_OP_CMP_LT = 2,
  FUTEX_OP_CMP_LE = 3,
  FUTEX_OP_CMP_GT = 4,
  FUTEX_OP_CMP_GE = 5,
}

/** futex2 flags (struct futex_waitv.flags): the size in the low two bits, and FUTEX2_PRIVATE. */
export const enum Futex2Flag {
  FUTEX2_SIZE_U8 = 0,
  FUTEX2_SIZE_U16 = 1,
  FUTEX2_SIZE_U32 = 2,
  FUTEX2_SIZE_U64 = 3,
  FUTEX2_SIZE_MASK = 3,
  FUTEX2_NUMA = 4,
  FUTEX2_MPOL = 8,
  FUTEX2_PRIVATE = 128,
}

/** Most entries futex_waitv(2) takes. */
export const FUTEX_WAITV_MAX = 128;

/** struct futex_waitv { u64 val; u64 uaddr; u32 flags; u32 __reserved; }. */
export const FUTEX_WAITV_SIZE = 24;
export const enum FutexWaitvOffset {
  VAL = 0,
  UADDR = 8,
  FLAGS = 16,
  RESERVED = 20,
}

/** struct robust_list_head { struct robust_list list; long futex_offset; struct robust_list *list_op_pending; }. */
export const ROBUST_LIST_HEAD_SIZE = 24;
export const enum RobustListHeadOffset {
  LIST = 0,
  FUTEX_OFFSET = 8,
  LIST_OP_PENDING = 16,
}

/**
 * The highest address x86-64's access_ok accepts for a small access
 * (USER_PTR_MAX = TASK_SIZE_MAX with 4-level paging): a private futex key
 * needs nothing more.
 */
export const USER_PTR_MAX = 0x7ffffffff000;

/** Most entries the kernel walks in a robust list at thread exit (kernel/futex/core.c ROBUST_LIST_LIMIT). */
export const ROBUST_LIST_LIMIT = 2048;

// src/abi/linux/futex.ts against this machine's <linux/futex.h> (the names
// its headers define; FUTEX2_* beyond FUTEX_32 are newer than some headers
// and are checked only where defined).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FUTEX_BITSET_MATCH_ANY,
  FUTEX_WAITV_MAX,
  FUTEX_WAITV_SIZE,
  Futex2Flag,
  FutexCmd,
  FutexFlag,
  FutexOpCmp,
  FutexOpOp,
  FutexWaitvOffset,
  FutexWord,
  ROBUST_LIST_HEAD_SIZE,
  RobustListHeadOffset,
} from '../../src/abi/linux/futex.js';
import { haveGcc, runC } from '../helpers/cprobe.js';

const CHECKS: [string, number][] = [
  ['FUTEX_WAIT', FutexCmd.FUTEX_WAIT],
  ['FUTEX_WAKE', FutexCmd.FUTEX_WAKE],
  ['FUTEX_FD', FutexCmd.FUTEX_FD],
  ['FUTEX_REQUEUE', FutexCmd.FUTEX_REQUEUE],
  ['FUTEX_CMP_REQUEUE', FutexCmd.FUTEX_CMP_REQUEUE],
  ['FUTEX_WAKE_OP', FutexCmd.FUTEX_WAKE_OP],
  ['FUTEX_LOCK_PI', FutexCmd.FUTEX_LOCK_PI],
  ['FUTEX_UNLOCK_PI', FutexCmd.FUTEX_UNLOCK_PI],
  ['FUTEX_TRYLOCK_PI', FutexCmd.FUTEX_TRYLOCK_PI],
  ['FUTEX_WAIT_BITSET', FutexCmd.FUTEX_WAIT_BITSET],
  ['FUTEX_WAKE_BITSET', FutexCmd.FUTEX_WAKE_BITSET],
  ['FUTEX_WAIT_REQUEUE_PI', FutexCmd.FUTEX_WAIT_REQUEUE_PI],
  ['FUTEX_CMP_REQUEUE_PI', FutexCmd.FUTEX_CMP_REQUEUE_PI],
  ['FUTEX_LOCK_PI2', FutexCmd.FUTEX_LOCK_PI2],
  ['FUTEX_PRIVATE_FLAG', FutexFlag.FUTEX_PRIVATE_FLAG],
  ['FUTEX_CLOCK_REALTIME', FutexFlag.FUTEX_CLOCK_REALTIME],
  ['(unsigned)~FUTEX_CMD_MASK', FutexFlag.FUTEX_OPTION_MASK],
  ['FUTEX_WAITERS', FutexWord.FUTEX_WAITERS],
  ['FUTEX_OWNER_DIED', FutexWord.FUTEX_OWNER_DIED],
  ['FUTEX_TID_MASK', FutexWord.FUTEX_TID_MASK],
  ['FUTEX_BITSET_MATCH_ANY', FUTEX_BITSET_MATCH_ANY],
  ['FUTEX_OP_SET', FutexOpOp.FUTEX_OP_SET],
  ['FUTEX_OP_ADD', FutexOpOp.FUTEX_OP_ADD],
  ['FUTEX_OP_OR', FutexOpOp.FUTEX_OP_OR],
  ['FUTEX_OP_ANDN', FutexOpOp.FUTEX_OP_ANDN],
  ['FUTEX_OP_XOR', FutexOpOp.FUTEX_OP_XOR],
  ['FUTEX_OP_OPARG_SHIFT', FutexOpOp.FUTEX_OP_OPARG_SHIFT],
  ['FUTEX_OP_CMP_EQ', FutexOpCmp.FUTEX_OP_CMP_EQ],
  ['FUTEX_OP_CMP_NE', FutexOpCmp.FUTEX_OP_CMP_NE],
  ['FUTEX_OP_CMP_LT', FutexOpCmp.FUTEX_OP_CMP_LT],
  ['FUTEX_OP_CMP_LE', FutexOpCmp.FUTEX_OP_CMP_LE],
  ['FUTEX_OP_CMP_GT', FutexOpCmp.FUTEX_OP_CMP_GT],
  ['FUTEX_OP_CMP_GE', FutexOpCmp.FUTEX_OP_CMP_GE],
  ['FUTEX_32', Futex2Flag.FUTEX2_SIZE_U32],
  ['FUTEX2_SIZE_U8', Futex2Flag.FUTEX2_SIZE_U8],
  ['FUTEX2_SIZE_U16', Futex2Flag.FUTEX2_SIZE_U16],
  ['FUTEX2_SIZE_U32', Futex2Flag.FUTEX2_SIZE_U32],
  ['FUTEX2_SIZE_U64', Futex2Flag.FUTEX2_SIZE_U64],
  ['FUTEX2_SIZE_MASK', Futex2Flag.FUTEX2_SIZE_MASK],
  ['FUTEX2_NUMA', Futex2Flag.FUTEX2_NUMA],
  ['FUTEX2_MPOL', Futex2Flag.FUTEX2_MPOL],
  ['FUTEX2_PRIVATE', Futex2Flag.FUTEX2_PRIVATE],
  ['FUTEX_WAITV_MAX', FUTEX_WAITV_MAX],
  ['sizeof(struct futex_waitv)', FUTEX_WAITV_SIZE],
  ['offsetof(struct futex_waitv, val)', FutexWaitvOffset.VAL],
  ['offsetof(struct futex_waitv, uaddr)', FutexWaitvOffset.UADDR],
  ['offsetof(struct futex_waitv, flags)', FutexWaitvOffset.FLAGS],
  ['offsetof(struct futex_waitv, __reserved)', FutexWaitvOffset.RESERVED],
  ['sizeof(struct robust_list_head)', ROBUST_LIST_HEAD_SIZE],
  ['offsetof(struct robust_list_head, list)', RobustListHeadOffset.LIST],
  ['offsetof(struct robust_list_head, futex_offset)', RobustListHeadOffset.FUTEX_OFFSET],
  ['offsetof(struct robust_list_head, list_op_pending)', RobustListHeadOffset.LIST_OP_PENDING],
];

/** Headers may lack newer macros: print "absent" for those (identifiers only; expressions always exist). */
function cProgram(): string {
  const lines = CHECKS.map(([name]) => {
    const print = `printf("%s %llu\\n", ${JSON.stringify(name)}, (unsigned long long)(${name}));`;
    if (!/^[A-Z0-9_]+$/.test(name)) return print;
    return `#ifdef ${name}\n${print}\n#else\nprintf("%s absent\\n", ${JSON.stringify(name)});\n#endif`;
  });
  return `#include <stdio.h>\n#include <stddef.h>\n#include <linux/futex.h>\nint main(void) {\n${lines.join('\n')}\nreturn 0;\n}\n`;
}

test('futex ABI numbers match <linux/futex.h>', (t) => {
  if (!haveGcc()) {
    t.skip('gcc is not installed');
    return;
  }
  const out = runC(cProgram(), 'tsvisor-futex-abi-');
  const got = new Map<string, string>();
  for (const line of out.trim().split('\n')) {
    const i = line.lastIndexOf(' ');
    got.set(line.slice(0, i), line.slice(i + 1));
  }
  let checked = 0;
  for (const [name, value] of CHECKS) {
    const v = got.get(name);
    assert.ok(v !== undefined, `${name}: not printed`);
    if (v === 'absent') continue;
    assert.equal(Number(v), value >>> 0, name);
    checked++;
  }
  assert.ok(checked >= 40, `only ${checked} names checked`);
});

// Sleeping (src/syscalls/time.ts) through the syscall table with a fake task:
// completion, interruption by a signal (rem, -ERESTART_RESTARTBLOCK and the
// restart block, -ERESTARTNOHAND for absolute sleeps, EFAULT on rem), death,
// and restart_syscall.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { SYS } from '../../src/abi/linux/syscalls.js';
import { Clock, TimerFlag } from '../../src/abi/linux/time.js';
import { NO_RESUME, type Kernel } from '../../src/kernel/kernel.js';
import { Task } from '../../src/kernel/task.js';
import type { ThreadGroup } from '../../src/kernel/thread_group.js';
import { Reg, REGS_WORDS, type Context } from '../../src/platform/platform.js';
import { SyscallArgs, setReg } from '../../src/syscalls/args.js';
import type { SyscallTable } from '../../src/syscalls/table.js';
import { registerTime, restartBlock } from '../../src/syscalls/time.js';

const MEM = 4096;

class Mem {
  readonly bytes = new Uint8Array(MEM);
  readonly dv = new DataView(this.bytes.buffer);
  readBytes(addr: number, dst: Uint8Array, off: number, len: number): number {
    if (addr < 16 || addr + len > MEM) return -Errno.EFAULT;
    dst.set(this.bytes.subarray(addr, addr + len), off);
    return 0;
  }
  writeBytes(addr: number, src: Uint8Array, off: number, len: number): number {
    if (addr < 16 || addr + len > MEM) return -Errno.EFAULT;
    this.bytes.set(src.subarray(off, off + len), addr);
    return 0;
  }
  timespec(addr: number, sec: number, nsec: number): number {
    this.dv.setBigInt64(addr, BigInt(sec), true);
    this.dv.setBigInt64(addr + 8, BigInt(nsec), true);
    return addr;
  }
  ns(addr: number): number {
    return Number(this.dv.getBigInt64(addr, true)) * 1e9 + Number(this.dv.getBigInt64(addr + 8, true));
  }
}

function setup(): { table: SyscallTable; t: Task; mem: Mem; call: (nr: number, ...args: number[]) => number | Promise<number> } {
  const table: SyscallTable = new Array(512).fill(undefined);
  const k = { tasks: new Map(), processes: new Map() } as unknown as Kernel;
  registerTime(table, k);
  const mem = new Mem();
  const tg = { mm: mem, exiting: false, pid: 1 } as unknown as ThreadGroup;
  const t = new Task(1, tg, {} as Context, {} as never);
  const regs = new Uint32Array(REGS_WORDS * 2);
  const a = new SyscallArgs();
  a.regs = regs;
  const argRegs = [Reg.RDI, Reg.RSI, Reg.RDX, Reg.R10, Reg.R8, Reg.R9];
  const call = (nr: number, ...args: number[]): number | Promise<number> => {
    args.forEach((v, i) => setReg(regs, argRegs[i]!, v));
    return table[nr]!(t, a);
  };
  return { table, t, mem, call };
}

test('a short nanosleep completes with 0 and leaves rem alone', async () => {
  const { call, mem, t } = setup();
  const r = call(SYS.nanosleep, mem.timespec(64, 0, 2_000_000), 8 /* unmapped: only used on interruption */);
  assert.ok(r instanceof Promise);
  assert.equal(await r, 0);
  assert.equal(t.interrupt(-Errno.ERESTARTSYS), false); // unparked
  assert.equal(call(SYS.nanosleep, mem.timespec(64, 0, 0), 0), 0);
});

test('a signal: rem written, -ERESTART_RESTARTBLOCK, and restart_syscall resumes to the same deadline', async () => {
  const { call, mem, t } = setup();
  const r = call(SYS.nanosleep, mem.timespec(64, 10, 0), 128);
  assert.ok(r instanceof Promise);
  await new Promise((res) => setTimeout(res, 20));
  t.interrupt(-Errno.ERESTARTSYS);
  assert.equal(await r, -Errno.ERESTART_RESTARTBLOCK);
  const rem = mem.ns(128);
  assert.ok(rem > 9e9 && rem < 10e9 - 10e6, `rem ${rem}`);
  assert.ok(restartBlock(t));
  await new Promise((res) => setTimeout(res, 20));
  const r2 = call(SYS.restart_syscall);
  assert.ok(r2 instanceof Promise);
  t.interrupt(-Errno.ERESTARTSYS);
  assert.equal(await r2, -Errno.ERESTART_RESTARTBLOCK);
  assert.ok(mem.ns(128) < rem - 10e6, 'the restarted sleep keeps the first deadline');
  // Death: the value is passed through (never delivered).
  const r3 = call(SYS.restart_syscall);
  t.interrupt(NO_RESUME);
  assert.equal(await r3, NO_RESUME);
  // A new sleep clears the restart block.
  assert.equal(call(SYS.nanosleep, mem.timespec(64, 0, 0), 0), 0);
  assert.equal(restartBlock(t), undefined);
  assert.equal(call(SYS.restart_syscall), -Errno.EINTR);
});

test('an absolute sleep returns -ERESTARTNOHAND without a restart block; a bad rem is EFAULT', async () => {
  const { call, mem, t } = setup();
  const now = process.hrtime.bigint(); // CLOCK_MONOTONIC
  const target = now + 10_000_000_000n;
  const r = call(SYS.clock_nanosleep, Clock.CLOCK_MONOTONIC, TimerFlag.TIMER_ABSTIME, mem.timespec(64, Number(target / 1_000_000_000n), Number(target % 1_000_000_000n)), 8);
  assert.ok(r instanceof Promise);
  t.interrupt(-Errno.ERESTARTSYS);
  assert.equal(await r, -Errno.ERESTARTNOHAND);
  assert.equal(restartBlock(t), undefined);
  const r2 = call(SYS.clock_nanosleep, Clock.CLOCK_REALTIME, 0, mem.timespec(64, 10, 0), 8);
  t.interrupt(-Errno.ERESTARTSYS);
  assert.equal(await r2, -Errno.EFAULT);
});

test('clock_nanosleep argument checks', () => {
  const { call, mem } = setup();
  const ts = mem.timespec(64, 0, 1000);
  assert.equal(call(SYS.clock_nanosleep, Clock.CLOCK_THREAD_CPUTIME_ID, 0, 8, 0), -Errno.EOPNOTSUPP);
  assert.equal(call(SYS.clock_nanosleep, Clock.CLOCK_MONOTONIC_RAW, 0, ts, 0), -Errno.EOPNOTSUPP);
  assert.equal(call(SYS.clock_nanosleep, Clock.CLOCK_SGI_CYCLE, 0, ts, 0), -Errno.EINVAL);
  assert.equal(call(SYS.clock_nanosleep, 2 ** 32 - 5, 0, ts, 0), -Errno.EOPNOTSUPP); // CLOCKFD
  assert.equal(call(SYS.clock_nanosleep, Clock.CLOCK_MONOTONIC, 0, 8, 0), -Errno.EFAULT);
  assert.equal(call(SYS.clock_nanosleep, Clock.CLOCK_BOOTTIME_ALARM, 0, 8, 0), -Errno.EFAULT);
  assert.equal(call(SYS.clock_nanosleep, Clock.CLOCK_BOOTTIME_ALARM, 0, ts, 0), -Errno.EOPNOTSUPP); // no RTC
  assert.equal(call(SYS.clock_nanosleep, Clock.CLOCK_MONOTONIC, 0, mem.timespec(96, 0, 1e9), 0), -Errno.EINVAL);
  assert.equal(call(SYS.clock_nanosleep, Clock.CLOCK_MONOTONIC, 0, mem.timespec(96, -1, 0), 0), -Errno.EINVAL);
  assert.equal(call(SYS.clock_nanosleep, 2 ** 32 - 2, 0, ts, 0), -Errno.EINVAL); // own thread's CPU clock
});

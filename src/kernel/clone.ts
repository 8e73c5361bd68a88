// clone(2), clone3(2), fork and vfork in the kernel (Linux kernel/fork.c
// copy_process and kernel_clone): the flag rules, the child's task and
// process, and the copy of its parent's state.
import { Rlimit } from '../abi/linux/rlimit.js';
import { Clone, Sched, type CloneArgs } from '../abi/linux/sched.js';
import { Capability } from '../abi/linux/capability.js';
import { forkTaskAttrs } from './task_attrs.js';
import { policyOf } from './sched_state.js';
import { Errno } from '../abi/linux/errno.js';
import { Reg } from '../platform/platform.js';
import { getReg, setReg } from '../syscalls/args.js';
import type { Kernel } from './kernel.js';
import { Task } from './task.js';
import { ThreadGroup } from './thread_group.js';
import { Vm } from './vm.js';
import { NO_RESUME } from './kernel.js';
import { PidFd } from './pidfd.js';
import { limitReader } from './exec.js';
import { blockingPromise } from './blocking.js';

const NAMESPACE_FLAGS =
  Clone.CLONE_NEWNS | Clone.CLONE_NEWCGROUP | Clone.CLONE_NEWUTS | Clone.CLONE_NEWIPC | Clone.CLONE_NEWUSER | Clone.CLONE_NEWPID | Clone.CLONE_NEWNET;
/** RLIMIT_NPROC's index. */
/** The general-purpose register words copied from parent to child (user_regs_struct). */
const GP_WORDS = Reg.EV_KIND;

/**
 * The checks of copy_process on the flags alone, in its order. Returns 0 or
 * -EINVAL; namespace flags are refused after these (EPERM: the sandbox does
 * not create namespaces, as a container under Docker's default profile).
 */
function checkFlags(f: number, flagsHi: number, isInit: boolean): number {
  if ((f & (Clone.CLONE_NEWNS | Clone.CLONE_FS)) === (Clone.CLONE_NEWNS | Clone.CLONE_FS)) return -Errno.EINVAL;
  if ((f & (Clone.CLONE_NEWUSER | Clone.CLONE_FS)) === (Clone.CLONE_NEWUSER | Clone.CLONE_FS)) return -Errno.EINVAL;
  if (f & Clone.CLONE_THREAD && !(f & Clone.CLONE_SIGHAND)) return -Errno.EINVAL;
  if (f & Clone.CLONE_SIGHAND && !(f & Clone.CLONE_VM)) return -Errno.EINVAL;
  // The namespace's init cannot make siblings (they would have no parent in it).
  if (f & Clone.CLONE_PARENT && isInit) return -Errno.EINVAL;
  if (f & Clone.CLONE_THREAD && f & (Clone.CLONE_NEWUSER | Clone.CLONE_NEWPID)) return -Errno.EINVAL;
  if (f & Clone.CLONE_PIDFD && f & Clone.CLONE_DETACHED) return -Errno.EINVAL;
  // CLONE_CLEAR_SIGHAND (bit 32) with CLONE_SIGHAND: clone3_args_valid.
  if (flagsHi & 1 && f & Clone.CLONE_SIGHAND) return -Errno.EINVAL;
  return 0;
}

/** The caller's user's live processes, for RLIMIT_NPROC (counted per real UID). */
function processesOf(k: Kernel, uid: number): number {
  let n = 0;
  for (const tg of k.processes.values()) {
    if (tg.zombie) continue;
    const leader = k.tasks.get(tg.pid) ?? tg.tasks.values().next().value;
    if (leader?.creds.uid === uid) n++;
  }
  return n;
}

/**
 * Makes the child of t described by a (exit signal, stack already resolved
 * to the child's initial rsp or 0). Returns the child's TID in the parent
 * (a Promise of it for CLONE_VFORK, resolved when the child execs or exits).
 */
export function cloneTask(k: Kernel, t: Task, a: CloneArgs): number | Promise<number> {
  const f = a.flags;
  const parentTg = t.tg;
  const e = checkFlags(f, a.flagsHi, parentTg === k.processes.get(1));
  if (e < 0) return e;
  if (f & NAMESPACE_FLAGS) {
    k.log.once('clone-ns', `clone with namespace flags 0x${(f & NAMESPACE_FLAGS).toString(16)}: EPERM (namespaces are not offered)`);
    return -Errno.EPERM;
  }
  if (a.flagsHi & 2) return -Errno.EINVAL; // CLONE_INTO_CGROUP: no cgroup file system to name one
  const thread = (f & Clone.CLONE_THREAD) !== 0;
  // A SCHED_DEADLINE task may not fork (sched_fork).
  if (policyOf(t) === Sched.SCHED_DEADLINE) return -Errno.EAGAIN;
  if (!thread) {
    const nproc = parentTg.limits.get(Rlimit.RLIMIT_NPROC).cur;
    const exempt = t.creds.hasCapability(Capability.CAP_SYS_RESOURCE) || t.creds.hasCapability(Capability.CAP_SYS_ADMIN);
    if (!exempt && processesOf(k, t.creds.uid) >= nproc) return -Errno.EAGAIN;
  }
  // CLONE_PIDFD: the descriptor is installed (close-on-exec) and its number stored before the child exists.
  let pidfd: PidFd | null = null;
  let pidfdNum = -1;
  if (f & Clone.CLONE_PIDFD) {
    pidfd = new PidFd(null);
    pidfdNum = parentTg.fds.install(pidfd, true, parentTg.limits.get(Rlimit.RLIMIT_NOFILE).cur);
    if (pidfdNum < 0) return pidfdNum;
    if (parentTg.mm.writeU32(a.pidfd, pidfdNum) < 0) {
      parentTg.fds.close(pidfdNum);
      return -Errno.EFAULT;
    }
  }
  const fail = (e: number): number => {
    if (pidfdNum >= 0) parentTg.fds.close(pidfdNum);
    return e;
  };
  const tid = k.allocatePid();
  if (tid < 0) return fail(tid);

  // The address space: shared (threads, vfork), or a copy-on-write copy.
  let vm: Vm;
  if (f & Clone.CLONE_VM) {
    vm = parentTg.vm;
  } else {
    const as = k.platform.newAddressSpace(k.memoryFile.fd);
    if (typeof as === 'number') return fail(as === -Errno.ENOMEM ? as : -Errno.EAGAIN);
    const r = t.regs;
    const mm = parentTg.mm.fork(as, { sp: getReg(r, Reg.RSP), tls: getReg(r, Reg.FS_BASE), ip: getReg(r, Reg.RIP) });
    if (typeof mm === 'number') {
      as.destroy();
      return fail(mm);
    }
    vm = new Vm(mm, as);
    vm.exeDeny = parentTg.vm.exeDeny?.dup() ?? null; // dup_mmap: the child runs the same program
  }
  const ctx = k.newContext(vm);
  if (typeof ctx === 'number') {
    if (!(f & Clone.CLONE_VM)) vm.put();
    return fail(ctx === -Errno.ENOMEM ? ctx : -Errno.EAGAIN);
  }
  if (f & Clone.CLONE_VM && !thread) vm.get();

  // Registers: the parent's, returning 0 from the syscall, on the new stack and TLS.
  const src = t.regs;
  const dst = ctx.regs32;
  for (let i = 0; i < GP_WORDS * 2; i++) dst[i] = src[i];
  setReg(dst, Reg.RAX, 0);
  setReg(dst, Reg.ORIG_RAX, -1);
  if (a.stack !== 0) setReg(dst, Reg.RSP, a.stack);
  if (f & Clone.CLONE_SETTLS) setReg(dst, Reg.FS_BASE, a.tls);
  // The FP state is as large in every thread: the parent's size is the child's.
  const n = t.ctx.fetchFpState();
  if (n > 0 && n <= ctx.fpState.length) {
    ctx.fpState.set(t.ctx.fpState.subarray(0, n));
    ctx.storeFpState();
  }

  let tg: ThreadGroup;
  if (thread) {
    tg = parentTg;
  } else {
    let fds = parentTg.fds;
    if (f & Clone.CLONE_FILES) fds.users++;
    else fds = fds.fork();
    let fsContext = parentTg.fsContext;
    if (f & Clone.CLONE_FS) fsContext.users++;
    else fsContext = fsContext.fork();
    let sigactions = parentTg.sigactions;
    if (!(f & Clone.CLONE_SIGHAND)) sigactions = a.flagsHi & 1 ? sigactions.flushed() : sigactions.copy();
    tg = new ThreadGroup(tid, vm, fds, parentTg.limits.clone(), { ...parentTg.image }, fsContext, sigactions);
    if (!(f & Clone.CLONE_VM)) vm.mm.rlimit = limitReader(tg);
    tg.comm = parentTg.comm;
    tg.pgid = parentTg.pgid;
    tg.sid = parentTg.sid;
    const parent = f & Clone.CLONE_PARENT ? parentTg.parent : parentTg;
    tg.parent = parent;
    tg.creator = f & Clone.CLONE_PARENT ? null : t;
    parent?.children.add(tg);
    tg.exitSignal = f & Clone.CLONE_PARENT ? parentTg.exitSignal : a.exitSignal;
  }
  // Partial: a CLONE_THREAD pidfd (PIDFD_THREAD, Linux 6.9) names the whole process here.
  pidfd?.attach(tg);
  const child = new Task(tid, tg, ctx, t.creds.clone());
  child.sigmaskLo = t.sigmaskLo;
  child.sigmaskHi = t.sigmaskHi;
  // The alternate signal stack is inherited, unless the child shares the memory without vfork (a thread).
  if (!(f & Clone.CLONE_VM) || f & Clone.CLONE_VFORK) {
    child.altSp = t.altSp;
    child.altSize = t.altSize;
    child.altFlags = t.altFlags;
  }
  forkTaskAttrs(t, child, thread);
  if (f & Clone.CLONE_CHILD_CLEARTID) child.clearChildTid = a.childTid;
  if (f & Clone.CLONE_CHILD_SETTID) vm.mm.writeU32(a.childTid, tid);
  if (f & Clone.CLONE_PARENT_SETTID) parentTg.mm.writeU32(a.parentTid, tid);
  k.addTask(child);
  k.log.debug(`pid ${parentTg.pid} tid ${t.tid}: clone flags 0x${f.toString(16)} -> ${thread ? 'thread' : 'pid'} ${tid}`);

  if (f & Clone.CLONE_VFORK && !thread) {
    // The parent sleeps until the child releases the memory (execve or exit).
    const done = blockingPromise<number>((resolve) => {
      tg.vforkDone = () => {
        t.unpark();
        resolve(tid);
      };
      // Only the parent's death ends the wait (wait_for_vfork_done is killable, not interruptible).
      const waker = (r: number): void => {
        if (r !== NO_RESUME) {
          t.park(waker);
          return;
        }
        tg.vforkDone = null;
        resolve(r);
      };
      t.park(waker);
    });
    k.resumeTask(child);
    return done;
  }
  k.resumeTask(child);
  return tid;
}


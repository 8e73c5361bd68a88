// The x86-64 signal frame (arch/x86/include/asm/sigframe.h, uapi
// asm/sigcontext.h, asm/ucontext.h): struct rt_sigframe { char *pretcode;
// struct ucontext uc; struct siginfo info; } with the FP state (XSAVE
// layout) in its own 64-byte aligned block below it.
import { Reg } from '../../platform/platform.js';

/** struct sigcontext (64-bit): general registers, then cs/gs/fs/ss, err, trapno, oldmask, cr2, fpstate. */
export const enum SigcontextOffset {
  EFLAGS = 136,
  CS = 144,
  GS = 146,
  FS = 148,
  SS = 150,
  ERR = 152,
  TRAPNO = 160,
  OLDMASK = 168,
  CR2 = 176,
  FPSTATE = 184,
}
export const SIGCONTEXT_SIZE = 256;

/** The user_regs_struct index of each 8-byte sigcontext slot from offset 0 (r8 … rip). */
export const SIGCONTEXT_REGS: readonly Reg[] = [
  Reg.R8, Reg.R9, Reg.R10, Reg.R11, Reg.R12, Reg.R13, Reg.R14, Reg.R15,
  Reg.RDI, Reg.RSI, Reg.RBP, Reg.RBX, Reg.RDX, Reg.RAX, Reg.RCX, Reg.RSP, Reg.RIP,
];

/** struct ucontext (the kernel's: uc_sigmask is 8 bytes). */
export const enum UcontextOffset {
  FLAGS = 0,
  LINK = 8,
  STACK = 16,
  MCONTEXT = 40,
  SIGMASK = 296,
}
export const UCONTEXT_SIZE = 304;

export const enum RtSigframeOffset {
  PRETCODE = 0,
  UC = 8,
  INFO = 312,
}
export const RT_SIGFRAME_SIZE = 440;

/** uc_flags. */
export const enum UcFlag {
  UC_FP_XSTATE = 0x1,
  UC_SIGCONTEXT_SS = 0x2,
  UC_STRICT_RESTORE_SS = 0x4,
}

/** struct _fpx_sw_bytes in the FXSAVE area's software-reserved bytes (asm/sigcontext.h). */
export const FPX_SW_BYTES_OFFSET = 464;
export const FP_XSTATE_MAGIC1 = 0x46505853;
export const FP_XSTATE_MAGIC2 = 0x46505845;
export const FP_XSTATE_MAGIC2_SIZE = 4;
/** The legacy FXSAVE area. */
export const FXSAVE_SIZE = 512;

/** EFLAGS bits a handler may change through sigreturn (FIX_EFLAGS: AC OF DF TF SF ZF AF PF CF RF). */
export const FIX_EFLAGS = 0x40000 | 0x800 | 0x400 | 0x100 | 0x80 | 0x40 | 0x10 | 0x4 | 0x1 | 0x10000;
/** Cleared when a handler starts: DF, TF, RF. */
export const HANDLER_CLEAR_EFLAGS = 0x400 | 0x100 | 0x10000;
/** The x86-64 ABI's red zone below rsp, skipped by the frame. */
export const RED_ZONE = 128;
/** Page-fault trap number (sigcontext.trapno for SIGSEGV/SIGBUS from a fault). */
export const X86_TRAP_PF = 14;

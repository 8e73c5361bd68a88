// An address space as the kernel shares it (Linux's mm_struct with its
// mm_users): the memory manager and the platform's address space, used by one
// thread group, or by several after clone(CLONE_VM) without CLONE_THREAD
// (vfork, posix_spawn). It is torn down when no thread group uses it and every
// platform context in it has reported its exit.
import type { MemoryManager } from '../mm/memory_manager.js';
import type { AddressSpace } from '../platform/platform.js';
import type { ExeDenyWrite } from '../vfs/write_access.js';

export class Vm {
  /** Thread groups using this address space. */
  private users = 1;
  /** Platform contexts (guest threads) created in it and not yet released. */
  private contexts = 0;
  private destroyed = false;
  /** The program's hold on its executable (mm->exe_file: writes to it are ETXTBSY), or null. */
  exeDeny: ExeDenyWrite | null = null;

  constructor(
    readonly mm: MemoryManager,
    readonly as: AddressSpace,
  ) {}

  /** Another thread group shares it (CLONE_VM). */
  get(): void {
    this.users++;
  }

  /** True if more than one thread group uses it (a CLONE_VM child or its parent). */
  get shared(): boolean {
    return this.users > 1;
  }

  /** A thread group stops using it (exit or execve): the last user kills every thread left in it. */
  put(): void {
    if (--this.users > 0) return;
    this.exeDeny?.release();
    this.exeDeny = null;
    this.as.kill();
    this.maybeDestroy();
  }

  contextCreated(): void {
    this.contexts++;
  }

  /** A context in it was released after its Exit stop. */
  contextReleased(): void {
    this.contexts--;
    this.maybeDestroy();
  }

  private maybeDestroy(): void {
    if (this.users > 0 || this.contexts > 0 || this.destroyed) return;
    this.destroyed = true;
    this.mm.destroy();
    this.as.destroy();
  }
}

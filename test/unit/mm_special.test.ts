// MemoryManager: the host's special mappings (the vDSO, docs/vdso.md) as
// VmFlag.Special VMAs: placement before the image, AT_SYSINFO_EHDR only when
// all of them are intact, munmap/MAP_FIXED/mprotect reaching the stub,
// mremap refused, no kernel access, faults reported as they are, fork
// re-synchronising the child's stub.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno } from '../../src/abi/linux/errno.js';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PROT_EXEC, PROT_READ, PROT_WRITE, SEGV_ACCERR, SEGV_MAPERR } from '../../src/abi/linux/mman.js';
import { MemoryFile } from '../../src/memory/memory_file.js';
import { FakeAddressSpace } from '../../src/mm/fake_address_space.js';
import { FAULT_SEGV_ACCERR, FAULT_SEGV_MAPERR, MemoryManager } from '../../src/mm/memory_manager.js';
import type { SpecialMapping } from '../../src/platform/platform.js';

const P = 4096;
const VVAR = 0x7f0000000000;
const VDSO = VVAR + 6 * P;
const PA = MAP_PRIVATE | MAP_ANONYMOUS;

/** A fake stub holding the host's vDSO ranges, recording what is asked of them. */
class SpecialAs extends FakeAddressSpace {
  readonly special: readonly SpecialMapping[] = [
    { start: VVAR, end: VVAR + 4 * P, name: '[vvar]', prot: PROT_READ, maxProt: PROT_READ },
    { start: VVAR + 4 * P, end: VDSO, name: '[vvar_vclock]', prot: PROT_READ, maxProt: PROT_READ },
    { start: VDSO, end: VDSO + 2 * P, name: '[vdso]', prot: PROT_READ | PROT_EXEC, maxProt: PROT_READ | PROT_WRITE | PROT_EXEC },
  ];
  readonly log: string[] = [];
  override unmap(addr: number, length: number): number {
    if (addr < VDSO + 2 * P && addr + length > VVAR) this.log.push(`unmap ${(addr - VVAR) / P}+${length / P}`);
    return super.unmap(addr, length);
  }
  override protect(addr: number, length: number, prot: number): number {
    if (addr < VDSO + 2 * P && addr + length > VVAR) this.log.push(`protect ${(addr - VVAR) / P}+${length / P} ${prot}`);
    return super.protect(addr, length, prot);
  }
}

function setup() {
  const mf = MemoryFile.create({ limit: 1024 * P, windowSize: 64 * P, inProcess: true });
  assert.ok(mf instanceof MemoryFile);
  const as = new SpecialAs();
  const mm = new MemoryManager(mf, as);
  return { mf, as, mm };
}

test('mapSpecial: named VMAs, shown in maps, AT_SYSINFO_EHDR while all are intact', () => {
  const { as, mm } = setup();
  assert.equal(mm.mapSpecial(), VDSO);
  assert.equal(mm.vdsoBase(), VDSO);
  const maps = mm.procMaps();
  assert.match(maps, /^7f0000000000-7f0000004000 r--p 00000000 00:00 0 +\[vvar\]$/m);
  assert.match(maps, /^7f0000004000-7f0000006000 r--p 00000000 00:00 0 +\[vvar_vclock\]$/m);
  assert.match(maps, /^7f0000006000-7f0000008000 r-xp 00000000 00:00 0 +\[vdso\]$/m);
  assert.deepEqual(as.log, []);
  // mmap goes around them.
  const a = mm.mmap(VVAR, 4 * P, PROT_READ, PA, -1, 0);
  assert.ok(a >= 0 && (a + 4 * P <= VVAR || a >= VDSO + 2 * P), a.toString(16));
  // One of the data pages replaced: no vDSO to offer, and the stub lost the host's page.
  assert.equal(mm.mmap(VVAR + P, P, PROT_READ, PA | MAP_FIXED, -1, 0), VVAR + P);
  assert.deepEqual(as.log, ['unmap 1+1']);
  assert.equal(mm.vdsoBase(), 0);
});

test('mapSpecial: all or nothing when something is already there', () => {
  const { as, mm } = setup();
  assert.equal(mm.mmap(VDSO, P, PROT_READ, PA | MAP_FIXED, -1, 0), VDSO);
  assert.equal(mm.mapSpecial(), 0);
  assert.deepEqual(as.log, ['unmap 0+4', 'unmap 4+2', 'unmap 6+2']);
  assert.doesNotMatch(mm.procMaps(), /\[v(dso|var)\]/);
});

test('munmap, mprotect, mremap on the vDSO; no kernel access; faults as reported', () => {
  const { as, mm } = setup();
  mm.mapSpecial();
  assert.equal(mm.mprotect(VVAR, P, PROT_READ | PROT_WRITE), -Errno.EACCES);
  assert.equal(mm.mprotect(VDSO, 2 * P, PROT_READ | PROT_WRITE | PROT_EXEC), 0);
  assert.deepEqual(as.log, ['protect 6+2 7']);
  assert.match(mm.procMaps(), /rwxp .*\[vdso\]$/m);
  assert.equal(mm.mremap(VVAR, 4 * P, 5 * P, 1, 0), -Errno.EFAULT);
  assert.equal(mm.mremap(VDSO, 2 * P, 2 * P, 3, 0x100000000), -Errno.EINVAL); // MAYMOVE|FIXED: no move
  const buf = new Uint8Array(8);
  assert.equal(mm.readBytes(VDSO, buf, 0, 8), -Errno.EFAULT);
  assert.equal(mm.writeBytes(VVAR, buf, 0, 8), -Errno.EFAULT);
  assert.equal(mm.handleFault(VVAR, SEGV_ACCERR), FAULT_SEGV_ACCERR);
  assert.equal(mm.handleFault(VDSO, SEGV_MAPERR), FAULT_SEGV_MAPERR);
  as.log.length = 0;
  assert.equal(mm.munmap(VDSO, 2 * P), 0);
  assert.deepEqual(as.log, ['unmap 6+2']);
  assert.equal(mm.vdsoBase(), 0);
});

test('fork: the child stub is made to match the VMAs', () => {
  const { as, mm } = setup();
  mm.mapSpecial();
  assert.equal(mm.mprotect(VDSO, P, PROT_READ), 0);
  assert.equal(mm.munmap(VVAR + 4 * P, 2 * P), 0);
  as.log.length = 0;
  const childAs = new SpecialAs();
  const child = mm.fork(childAs);
  assert.ok(child instanceof MemoryManager);
  assert.deepEqual(childAs.log, ['unmap 4+2', 'protect 6+1 1']);
  assert.deepEqual(as.log, []);
  assert.match(child.procMaps(), /\[vvar\]$/m);
  assert.doesNotMatch(child.procMaps(), /\[vvar_vclock\]/);
  // A fork of an untouched one asks nothing of the child's stub.
  const fresh = setup();
  fresh.mm.mapSpecial();
  const c2 = new SpecialAs();
  assert.ok(fresh.mm.fork(c2) instanceof MemoryManager);
  assert.deepEqual(c2.log, []);
});

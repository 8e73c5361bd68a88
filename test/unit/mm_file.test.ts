// MemoryManager: mappings of files (MappedFile): private mappings filled from
// the file, shared mappings with writeback, Linux's error order, SIGBUS past
// the end of the file, /proc/PID/maps, references held on the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno } from '../../src/abi/linux/errno.js';
import {
  MADV_DONTNEED, MADV_FREE, MADV_POPULATE_READ, MADV_REMOVE, MADV_WIPEONFORK, MAP_ANONYMOUS, MAP_DROPPABLE, MAP_FIXED,
  MAP_FIXED_NOREPLACE, MAP_GROWSDOWN, MAP_HUGETLB, MAP_POPULATE, MAP_PRIVATE, MAP_SHARED, MAP_SHARED_VALIDATE, MAP_SYNC,
  MREMAP_MAYMOVE, MS_ASYNC, MS_SYNC, PROT_EXEC, PROT_READ, PROT_WRITE, SEGV_ACCERR, SEGV_MAPERR,
} from '../../src/abi/linux/mman.js';
import { makeDev } from '../../src/abi/linux/stat.js';
import { MemoryFile } from '../../src/memory/memory_file.js';
import { FakeAddressSpace, verifyAddressSpace, type ManagedSpace } from '../../src/mm/fake_address_space.js';
import type { MappedFile } from '../../src/mm/mapped_file.js';
import { FAULT_SIGBUS, MemoryManager } from '../../src/mm/memory_manager.js';

const P = 4096;
const RW = PROT_READ | PROT_WRITE;
const X = 0x40000000;
const E = (e: number): number => -e;

/** A file in an array, counting what the memory manager does with it. */
class FakeFile implements MappedFile {
  readable = true;
  writable = false;
  mappable = true;
  regular = true;
  zero = false;
  appendOnly = false;
  writeSealed = false;
  noexec = false;
  dev = makeDev(8, 3);
  ino = 4242;
  refs = 0;
  reads = 0;
  writes = 0;
  syncs = 0;
  failReads = false;
  path = '/usr/lib/libfake.so.1';

  constructor(public data: Uint8Array, readonly key: object = {}) {}

  get size(): number { return this.data.length; }
  name(): string { return this.path; }

  read(pos: number, dst: Uint8Array, off: number, len: number): number {
    this.reads++;
    if (this.failReads) return -Errno.EIO;
    const n = Math.max(0, Math.min(len, this.data.length - pos));
    dst.set(this.data.subarray(pos, pos + n), off);
    return n;
  }

  write(pos: number, src: Uint8Array, off: number, len: number): number {
    this.writes++;
    assert.ok(pos + len <= this.data.length, 'writeback past the end of the file');
    this.data.set(src.subarray(off, off + len), pos);
    return len;
  }

  sync(): number {
    this.syncs++;
    return 0;
  }

  incRef(): void { this.refs++; }
  decRef(): void {
    this.refs--;
    assert.ok(this.refs >= 0);
  }

  /** A second open file description of the same file (same key and data). */
  reopen(writable: boolean): FakeFile {
    const f = new FakeFile(this.data, this.key);
    f.writable = writable;
    f.path = this.path;
    const self = this; // eslint-disable-line @typescript-eslint/no-this-alias
    Object.defineProperty(f, 'data', { get: () => self.data });
    return f;
  }
}

function pattern(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed + (i >> 12)) & 0xff;
  return b;
}

function setup() {
  const mf = MemoryFile.create({ limit: 4096 * P, windowSize: 64 * P, inProcess: true });
  assert.ok(mf instanceof MemoryFile);
  const live: ManagedSpace[] = [];
  const spawn = () => {
    const as = new FakeAddressSpace();
    const mm = new MemoryManager(mf, as);
    live.push({ mm, as });
    return { mm, as };
  };
  const s = spawn();
  const check = (): void => assert.deepEqual(verifyAddressSpace(live[0].mm, live[0].as, mf, live), []);
  const touch = (addr: number, write = false, value = 0, t = s): number => t.as.access(mf, t.mm, addr, write, value);
  const fork = () => {
    const as = new FakeAddressSpace();
    const mm = s.mm.fork(as);
    assert.ok(mm instanceof MemoryManager);
    live.push({ mm, as });
    return { mm, as };
  };
  return { mf, ...s, check, touch, fork, live };
}

test('file: a private mapping reads the file lazily, zeros past its end, SIGBUS beyond, private writes', () => {
  const { mf, mm, as, check, touch } = setup();
  const f = new FakeFile(pattern(5 * P + 100));
  const a = mm.mmap(0, 8 * P, PROT_READ, MAP_PRIVATE, f, 0);
  assert.ok(a > 0);
  assert.equal(f.refs, 1);
  assert.equal(f.reads, 0); // nothing read yet
  assert.equal(mf.usedBytes, 0);
  assert.equal(touch(a + 2 * P + 5), f.data[2 * P + 5]);
  assert.equal(as.calls.map, 1);
  assert.equal(mf.usedBytes, 6 * P); // the fault-around window, clipped to the file's 6 pages
  assert.equal(touch(a + 5 * P + 99), f.data[5 * P + 99]);
  assert.equal(touch(a + 5 * P + 100), 0); // the rest of the last page reads as zeros
  assert.equal(touch(a + 6 * P), -FAULT_SIGBUS); // a page wholly past the end
  assert.equal(mm.handleFault(a + 7 * P + 1, SEGV_MAPERR), FAULT_SIGBUS);
  // Writes need PROT_WRITE (any open mode: the copy is private).
  assert.equal(mm.mprotect(a, 8 * P, RW), 0);
  assert.equal(touch(a + P, true, 0x99), 0);
  assert.equal(touch(a + P), 0x99);
  assert.equal(f.data[P], pattern(P + 1)[P]); // the file is unchanged
  check();
  // The file grows: the new page is there (SIGBUS only while past the end).
  f.data = pattern(7 * P);
  assert.equal(touch(a + 6 * P + 3), f.data[6 * P + 3]);
  assert.equal(mm.munmap(a, 8 * P), 0);
  assert.equal(f.refs, 0);
  assert.equal(mf.usedBytes, 0);
  check();
});

test('file: offsets, kernel reads of untouched pages, eager and MAP_POPULATE, read errors', () => {
  const { mf, mm, check, touch } = setup();
  const f = new FakeFile(pattern(64 * P, 7));
  // A mapping at file offset 8 pages.
  const a = mm.mmap(0, 16 * P, PROT_READ, MAP_PRIVATE, f, 8 * P);
  const buf = new Uint8Array(3 * P);
  assert.equal(mm.readBytes(a + 2 * P + 10, buf, 0, buf.length), 0); // the kernel reads the file's data, not zeros
  assert.deepEqual(buf, f.data.subarray(10 * P + 10, 13 * P + 10));
  assert.equal(mm.readU32(a + 15 * P), new DataView(f.data.buffer).getUint32(23 * P, true));
  assert.equal(touch(a + 3 * P), f.data[11 * P]);
  check();
  // Small writable private mappings (a library's .data) are read in at mmap; so is MAP_POPULATE.
  const reads = f.reads;
  const d = mm.mmap(0, 2 * P, RW, MAP_PRIVATE, f, 4 * P);
  assert.ok(f.reads > reads);
  assert.equal(touch(d + P), f.data[5 * P]);
  const used = mf.usedBytes;
  const q = mm.mmap(0, 32 * P, PROT_READ, MAP_PRIVATE | MAP_POPULATE, f, 0);
  assert.equal(mf.usedBytes, used + 32 * P);
  assert.equal(mm.madvise(q, 32 * P, MADV_POPULATE_READ), 0);
  assert.equal(touch(q + 31 * P), f.data[31 * P]);
  // MADV_DONTNEED drops the private copy: the file is read again.
  assert.equal(mm.mprotect(q, P, RW), 0);
  assert.equal(touch(q, true, 0x55), 0);
  assert.equal(mm.madvise(q, P, MADV_DONTNEED), 0);
  assert.equal(touch(q), f.data[0]);
  check();
  // A file that cannot be read: SIGBUS on a fault, EFAULT for the kernel, nothing allocated.
  f.failReads = true;
  const e = mm.mmap(0, 4 * P, PROT_READ, MAP_PRIVATE, f, 0);
  const before = mf.usedBytes;
  assert.equal(mm.handleFault(e, SEGV_MAPERR), FAULT_SIGBUS);
  assert.equal(mm.readBytes(e, buf, 0, 10), E(Errno.EFAULT));
  assert.equal(mm.madvise(e, P, MADV_POPULATE_READ), E(Errno.EFAULT));
  assert.equal(mf.usedBytes, before);
  check();
  // Past the end of the file, MADV_POPULATE_READ is EFAULT (SIGBUS on access).
  f.failReads = false;
  const big = mm.mmap(0, 80 * P, PROT_READ, MAP_PRIVATE, f, 0);
  assert.equal(mm.madvise(big, 80 * P, MADV_POPULATE_READ), E(Errno.EFAULT));
  mm.destroy();
  assert.equal(f.refs, 0);
  assert.equal(mf.usedBytes, 0);
});

test('file: errors in Linux order', () => {
  const { mm } = setup();
  const f = new FakeFile(pattern(4 * P));
  assert.equal(mm.mmap(0, P, PROT_READ, MAP_PRIVATE, f, 1), E(Errno.EINVAL)); // the offset's alignment first
  assert.equal(mm.mmap(0, P, PROT_READ, MAP_PRIVATE, -1, 0), E(Errno.EBADF)); // no file
  assert.equal(mm.mmap(0, 0, PROT_READ, MAP_PRIVATE, -1, 0), E(Errno.EBADF)); // before the length
  assert.equal(mm.mmap(0, P, PROT_READ, MAP_PRIVATE | MAP_HUGETLB, f, 0), E(Errno.EINVAL)); // not a hugetlbfs file
  assert.equal(mm.mmap(0, 0, PROT_READ, MAP_PRIVATE, f, 0), E(Errno.EINVAL));
  assert.equal(mm.mmap(0, -1, PROT_READ, MAP_PRIVATE, f, 0), E(Errno.ENOMEM));
  // EOVERFLOW: the last page must stay below 2^63 bytes (regular files) or 2^64 (others).
  assert.equal(mm.mmap(0, P, PROT_READ, MAP_PRIVATE, f, -P), E(Errno.EOVERFLOW));
  assert.equal(mm.mmap(0, P, PROT_READ, MAP_PRIVATE, f, 2 ** 63 - P), E(Errno.EOVERFLOW));
  const hi = mm.mmap(0, P, PROT_READ, MAP_PRIVATE, f, 2 ** 63 - 2 * P);
  assert.ok(hi > 0);
  assert.equal(mm.handleFault(hi, SEGV_MAPERR), FAULT_SIGBUS);
  assert.equal(mm.mmap(0, 2 * P, PROT_READ, MAP_PRIVATE, f, 2 ** 63 - 2 * P), E(Errno.EOVERFLOW));
  const dir = new FakeFile(new Uint8Array(0));
  dir.regular = false;
  dir.mappable = false;
  assert.equal(mm.mmap(0, P, PROT_READ, MAP_PRIVATE, dir, 2 ** 63 - P), E(Errno.ENODEV)); // ULONG_MAX for non-regular files
  assert.equal(mm.mmap(0, P, PROT_READ, MAP_PRIVATE, dir, -P), E(Errno.EOVERFLOW));
  // Mapping types.
  assert.equal(mm.mmap(0, P, PROT_READ, MAP_DROPPABLE, f, 0), E(Errno.EINVAL));
  assert.equal(mm.mmap(0, P, PROT_READ, 0, f, 0), E(Errno.EINVAL));
  assert.equal(mm.mmap(0, P, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, f, 0), E(Errno.EOPNOTSUPP));
  assert.equal(mm.mmap(X, P, PROT_READ, MAP_SHARED_VALIDATE | MAP_FIXED_NOREPLACE, f, 0), E(Errno.EOPNOTSUPP));
  assert.ok(mm.mmap(0, P, PROT_READ, MAP_SHARED | MAP_SYNC, f, 0) > 0); // MAP_SHARED ignores unknown flags
  assert.ok(mm.mmap(0, P, PROT_READ, MAP_SHARED_VALIDATE | 0x80 /* MAP_ABOVE4G */, f, 0) > 0);
  // Access modes.
  assert.equal(mm.mmap(0, P, RW, MAP_SHARED, f, 0), E(Errno.EACCES)); // shared and writable needs a writable file
  assert.ok(mm.mmap(0, P, RW, MAP_PRIVATE, f, 0) > 0); // private is fine
  const wo = new FakeFile(pattern(P));
  wo.readable = false;
  wo.writable = true;
  assert.equal(mm.mmap(0, P, PROT_READ, MAP_PRIVATE, wo, 0), E(Errno.EACCES));
  assert.equal(mm.mmap(0, P, PROT_READ, MAP_SHARED, wo, 0), E(Errno.EACCES));
  const app = new FakeFile(pattern(P));
  app.writable = true;
  app.appendOnly = true;
  assert.equal(mm.mmap(0, P, PROT_READ, MAP_SHARED, app, 0), E(Errno.EACCES));
  assert.ok(mm.mmap(0, P, PROT_READ, MAP_PRIVATE, app, 0) > 0);
  const pipeW = new FakeFile(new Uint8Array(0));
  pipeW.mappable = false;
  pipeW.regular = false;
  pipeW.readable = false;
  assert.equal(mm.mmap(0, P, PROT_READ, MAP_PRIVATE, pipeW, 0), E(Errno.EACCES)); // EACCES before ENODEV
  assert.equal(mm.mmap(0, P, PROT_READ, MAP_PRIVATE, dir, 0), E(Errno.ENODEV));
  assert.equal(mm.mmap(0, P, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN, f, 0), E(Errno.EINVAL));
  const nx = new FakeFile(pattern(P));
  nx.noexec = true;
  assert.equal(mm.mmap(0, P, PROT_READ | PROT_EXEC, MAP_PRIVATE, nx, 0), E(Errno.EPERM));
  const n = mm.mmap(0, P, PROT_READ, MAP_PRIVATE, nx, 0);
  assert.equal(mm.mprotect(n, P, PROT_READ | PROT_EXEC), E(Errno.EACCES));
  // Write-sealed memfds: no shared writable mapping; a shared read-only one stays so; private is fine.
  const sealed = new FakeFile(pattern(P));
  sealed.writable = true;
  sealed.writeSealed = true;
  assert.equal(mm.mmap(0, P, RW, MAP_SHARED, sealed, 0), E(Errno.EPERM));
  const sr = mm.mmap(0, P, PROT_READ, MAP_SHARED, sealed, 0);
  assert.equal(mm.mprotect(sr, P, RW), E(Errno.EACCES));
  assert.ok(mm.mmap(0, P, RW, MAP_PRIVATE, sealed, 0) > 0);
  // A shared mapping of a file not open for writing never becomes writable.
  const s = mm.mmap(0, P, PROT_READ, MAP_SHARED, f, 0);
  assert.equal(mm.mprotect(s, P, RW), E(Errno.EACCES));
  assert.equal(mm.mprotect(s, P, PROT_READ | PROT_EXEC), 0);
  // madvise on file mappings.
  const pv = mm.mmap(0, P, PROT_READ, MAP_PRIVATE, f, 0);
  assert.equal(mm.madvise(pv, P, MADV_WIPEONFORK), E(Errno.EINVAL));
  assert.equal(mm.madvise(pv, P, MADV_FREE), E(Errno.EINVAL));
  assert.equal(mm.madvise(pv, P, MADV_REMOVE), E(Errno.EACCES));
  assert.equal(mm.madvise(s, P, MADV_REMOVE), E(Errno.EACCES));
  assert.equal(mm.setVmaName(pv, P, 'x'), E(Errno.EBADF));
  mm.destroy();
  for (const x of [f, dir, wo, app, pipeW, nx, sealed]) assert.equal(x.refs, 0);
});

test('file: /proc/PID/maps shows offset, device, inode and path; VMAs of one file merge and hold it', () => {
  const { mm, check } = setup();
  const f = new FakeFile(pattern(16 * P));
  const a = mm.mmap(0, 16 * P, PROT_READ, MAP_PRIVATE, f, 0);
  // ld.so style: segments remapped over the reservation at their offsets.
  assert.equal(mm.mmap(a + 4 * P, 4 * P, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, f, 4 * P), a + 4 * P);
  assert.equal(mm.mprotect(a + 12 * P, 4 * P, RW), 0);
  const lines = mm.procMaps().trimEnd().split('\n');
  const hex = (n: number): string => n.toString(16).padStart(8, '0');
  const line = (s: number, e: number, perms: string, off: number): string =>
    `${hex(s)}-${hex(e)} ${perms} ${hex(off)} 08:03 4242`.padEnd(72) + ' /usr/lib/libfake.so.1';
  assert.deepEqual(lines, [
    line(a, a + 4 * P, 'r--p', 0),
    line(a + 4 * P, a + 8 * P, 'r-xp', 4 * P),
    line(a + 8 * P, a + 12 * P, 'r--p', 8 * P),
    line(a + 12 * P, a + 16 * P, 'rw-p', 12 * P),
  ]);
  assert.equal(f.refs, 4);
  assert.equal(mm.mprotect(a + 4 * P, 4 * P, PROT_READ), 0); // merges back
  assert.equal(mm.vmas.count, 2);
  assert.equal(f.refs, 2);
  // Another open file of the same inode does not merge (vm_file differs).
  const g = f.reopen(false);
  assert.equal(mm.mmap(a + 16 * P, 4 * P, PROT_READ, MAP_PRIVATE | MAP_FIXED, g, 16 * P), a + 16 * P);
  assert.equal(mm.vmas.count, 3);
  // mremap keeps the file and the offset.
  const m = mm.mremap(a + 8 * P, 4 * P, 8 * P, MREMAP_MAYMOVE, 0);
  assert.ok(m > 0 && m !== a + 8 * P);
  assert.ok(mm.procMaps().includes(`${hex(m)}-${hex(m + 8 * P)} r--p ${hex(8 * P)} 08:03 4242`));
  check();
  // The name follows the file (a rename or unlink shows at once).
  f.path = '/tmp/x (deleted)';
  assert.ok(mm.procMaps().includes(' /tmp/x (deleted)\n'));
  f.path = 'a\nb';
  assert.ok(mm.procMaps().includes(' a\\012b\n'));
  mm.destroy();
  assert.equal(f.refs, 0);
  assert.equal(g.refs, 0);
});

test('file: private file pages are copy-on-write across fork', () => {
  const { mf, mm, check, touch, fork } = setup();
  const f = new FakeFile(pattern(8 * P));
  const a = mm.mmap(0, 8 * P, RW, MAP_PRIVATE, f, 0); // eager: read in at mmap
  assert.equal(touch(a + P, true, 1), 0);
  const child = fork();
  assert.equal(f.refs, 2);
  const used = mf.usedBytes;
  assert.equal(touch(a + 2 * P, false, 0, child), f.data[2 * P]);
  assert.equal(touch(a + P, false, 0, child), 1);
  assert.equal(mf.usedBytes, used);
  assert.equal(touch(a + 2 * P, true, 2, child), 0);
  assert.equal(touch(a + 2 * P), f.data[2 * P]);
  check();
  child.mm.destroy();
  assert.equal(f.refs, 1);
});

test('file: shared mappings share pages per file, write back dirty pages on msync, munmap and exit', () => {
  const { mf, mm, as, check, touch, fork, live } = setup();
  const data = pattern(6 * P + 10);
  const orig = data.slice();
  const ro = new FakeFile(data);
  const rw = ro.reopen(true);
  const a = mm.mmap(0, 8 * P, PROT_READ, MAP_SHARED, ro, 0);
  const b = mm.mmap(0, 8 * P, RW, MAP_SHARED, rw, 0);
  assert.equal(touch(a + P), orig[P]);
  assert.equal(touch(b + P), orig[P]);
  assert.equal(as.pages.get(a / P + 1)?.off, as.pages.get(b / P + 1)?.off); // the same page
  assert.equal(as.pages.get(b / P + 1)?.prot, PROT_READ); // clean: mapped read-only
  assert.equal(touch(b + P, true, 0x77), 0); // a write fault marks it dirty and maps it writable
  assert.equal(as.pages.get(b / P + 1)?.prot, RW);
  assert.equal(touch(a + P), 0x77); // seen through the other mapping
  assert.equal(touch(b + 7 * P), -FAULT_SIGBUS); // past the end of the file
  check();
  assert.equal(data[P], orig[P]); // not written back yet
  assert.equal(mm.msync(b, 8 * P, MS_ASYNC), 0);
  assert.equal(data[P], 0x77);
  assert.equal(rw.writes, 1); // only the dirty page
  assert.equal(rw.syncs, 0);
  assert.equal(mm.msync(b, 8 * P, MS_SYNC), 0);
  assert.equal(rw.syncs, 1);
  // A kernel write marks pages dirty too; the last page is written only up to the end of the file.
  const src = new Uint8Array(P + 20).fill(0x42);
  assert.equal(mm.writeBytes(b + 5 * P, src, 0, src.length - 10), 0);
  // A fork shares the object; the child's writes reach the file when it exits.
  const child = fork();
  assert.equal(touch(b + 2 * P, true, 0x12, child), 0);
  assert.equal(touch(b + 2 * P), 0x12);
  check();
  child.mm.destroy();
  live.pop();
  assert.equal(data[2 * P], 0x12);
  assert.equal(data[5 * P + 3], 0x42);
  assert.equal(data[6 * P + 9], 0x42);
  assert.equal(data.length, 6 * P + 10);
  // munmap writes back what it unmaps.
  assert.equal(touch(b + 3 * P, true, 0x33), 0);
  assert.equal(mm.munmap(b, 8 * P), 0);
  assert.equal(data[3 * P], 0x33);
  assert.equal(touch(a + 3 * P), 0x33); // the other mapping still has the page
  assert.equal(mm.madvise(a, P, MADV_REMOVE), E(Errno.EACCES)); // read-only open: no VM_MAYWRITE
  check();
  assert.equal(mm.munmap(a, 8 * P), 0);
  assert.equal(mf.usedBytes, 0); // the object is gone with its last mapping
  assert.equal(ro.refs + rw.refs, 0);
  // A new mapping reads the file afresh.
  data[4 * P] = 0x44;
  const c = mm.mmap(0, 8 * P, RW, MAP_SHARED, rw, 0);
  assert.equal(touch(c + 4 * P), 0x44);
  assert.equal(mm.madvise(c, P, MADV_REMOVE), E(Errno.EOPNOTSUPP));
  assert.equal(mm.madvise(c, 2 * P, MADV_DONTNEED), 0);
  assert.equal(touch(c + 4 * P), 0x44);
  const m = mm.mremap(c, 8 * P, 16 * P, MREMAP_MAYMOVE, 0);
  assert.ok(m > 0);
  assert.equal(touch(m + 4 * P), 0x44);
  assert.equal(touch(m + 4 * P, true, 0x45), 0);
  check();
  mm.destroy(); // exit writes back
  assert.equal(data[4 * P], 0x45);
  assert.equal(rw.refs, 0);
  assert.equal(mf.usedBytes, 0);
});

test('file: /dev/zero maps anonymous memory', () => {
  const { mm, touch, check } = setup();
  const z = new FakeFile(new Uint8Array(0));
  z.zero = true;
  z.regular = false;
  z.writable = true;
  const p = mm.mmap(0, 4 * P, RW, MAP_PRIVATE, z, 0);
  const s = mm.mmap(0, 4 * P, RW, MAP_SHARED, z, 0);
  assert.equal(touch(p + P, true, 3), 0);
  assert.equal(touch(s + P, true, 4), 0);
  assert.equal(touch(s + P), 4);
  assert.equal(touch(p + 2 * P), 0);
  assert.ok(mm.procMaps().includes('/dev/zero (deleted)'));
  assert.equal(mm.mmap(0, P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, z, 0) > 0, true);
  assert.equal(z.refs, 0); // anonymous memory holds no file
  assert.equal(mm.handleFault(p, SEGV_ACCERR) >= 0, true);
  check();
});

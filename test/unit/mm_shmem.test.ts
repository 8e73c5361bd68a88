// MemoryManager with tmpfs files whose pages are in the MemoryFile
// (ShmemMemory): shared mappings map the file's own pages, so stores through
// mappings and the file's read/write are the same bytes at once, across
// fork; truncation unmaps freed pages everywhere (SIGBUS past the end, private
// copies dropped); holes get one page per fault, charged to tmpfs (SIGBUS when
// full); MADV_REMOVE punches the file; tmpfs data counts in the MemoryFile.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errno } from '../../src/abi/linux/errno.js';
import { MADV_REMOVE, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '../../src/abi/linux/mman.js';
import { FileMode, makeDev } from '../../src/abi/linux/stat.js';
import { MemoryFilePageStore } from '../../src/fs/tmpfs/page_store.js';
import { TmpfsFileSystem } from '../../src/fs/tmpfs/tmpfs.js';
import { TmpfsRegular } from '../../src/fs/tmpfs/tmpfs_regular.js';
import { filePagesHooks, type FilePages } from '../../src/memory/file_pages.js';
import { MemoryFile } from '../../src/memory/memory_file.js';
import { FakeAddressSpace, verifyAddressSpace } from '../../src/mm/fake_address_space.js';
import type { MappedFile } from '../../src/mm/mapped_file.js';
import { FAULT_SIGBUS, MemoryManager } from '../../src/mm/memory_manager.js';

const P = 4096;
const RW = PROT_READ | PROT_WRITE;

/** An open tmpfs file as the memory manager maps it (what src/syscalls/memory.ts does for an OpenFile). */
class TmpfsMapping implements MappedFile {
  readable = true;
  writable = true;
  mappable = true;
  regular = true;
  zero = false;
  appendOnly = false;
  writeSealed = false;
  noexec = false;
  dev = makeDev(0, 42);
  refs = 0;

  constructor(readonly inode: TmpfsRegular) {}

  get ino(): number { return this.inode.ino; }
  get key(): object { return this.inode; }
  get size(): number { return this.inode.attrs.size; }
  get pages(): FilePages | null { return this.inode.filePages; }
  name(): string { return '/dev/shm/x'; }
  read(pos: number, dst: Uint8Array, off: number, len: number): number { return this.inode.readAt(pos, dst, off, len); }
  write(pos: number, src: Uint8Array, off: number, len: number): number { return this.inode.writeAt(pos, src, off, len); }
  sync(): number { return 0; }
  incRef(): void { this.refs++; }
  decRef(): void { this.refs--; }
}

interface Space {
  mm: MemoryManager;
  as: FakeAddressSpace;
}

function setup(maxBytes = 0, mfPages = 4096) {
  const mf = MemoryFile.create({ limit: mfPages * P, windowSize: 64 * P, inProcess: true });
  assert.ok(mf instanceof MemoryFile);
  const fs = new TmpfsFileSystem({ maxBytes, pageStore: () => new MemoryFilePageStore(mf) });
  const inode = fs.newNode({ mode: FileMode.S_IFREG | 0o600, uid: 0, gid: 0, rdev: 0 });
  assert.ok(inode instanceof TmpfsRegular);
  const file = new TmpfsMapping(inode);
  const live: Space[] = [];
  const spawn = (): Space => {
    const as = new FakeAddressSpace();
    const s = { mm: new MemoryManager(mf, as), as };
    live.push(s);
    return s;
  };
  const main = spawn();
  const fork = (): Space => {
    const as = new FakeAddressSpace();
    const mm = main.mm.fork(as);
    assert.ok(mm instanceof MemoryManager);
    const s = { mm, as };
    live.push(s);
    return s;
  };
  const touch = (s: Space, addr: number, write = false, value = 0): number => s.as.access(mf, s.mm, addr, write, value);
  const check = (): void => {
    for (const s of live) assert.deepEqual(verifyAddressSpace(s.mm, s.as, mf, live), []);
  };
  const put = (pos: number, s: string): void => {
    const b = new TextEncoder().encode(s);
    assert.equal(inode.writeAt(pos, b, 0, b.length), b.length);
  };
  const get = (pos: number, n: number): string => {
    const b = new Uint8Array(n);
    inode.readAt(pos, b, 0, n);
    return new TextDecoder().decode(b);
  };
  return { mf, fs, inode, file, main, spawn, fork, touch, check, put, get, live };
}

test('shmem: a shared mapping maps the file pages; stores and write(2) are seen both ways, across fork', () => {
  const { mf, inode, file, main, fork, touch, check, put, get } = setup();
  assert.equal(inode.setattr({ size: 4 * P }), 0);
  put(10, 'abc');
  const used = mf.usedBytes;
  assert.equal(used, P); // tmpfs data is MemoryFile memory
  const a = main.mm.mmap(0, 4 * P, RW, MAP_SHARED, file, 0);
  assert.ok(a > 0);
  assert.equal(inode.filePages?.mappers, 1);
  assert.equal(touch(main, a + 11), 'b'.charCodeAt(0));
  assert.equal(main.mm.backingOf(a), inode.pages.filePage(0) * P); // the file's own page, no copy
  assert.equal(mf.usedBytes, used);
  // A read fault on a hole gives that page only (fault-around does not allocate).
  assert.equal(touch(main, a + 2 * P), 0);
  assert.equal(inode.pages.count, 2);
  assert.equal(inode.attrs.blocks, 16);
  assert.equal(touch(main, a + 12, true, 'Z'.charCodeAt(0)), 0);
  assert.equal(get(10, 3), 'abZ');
  put(2 * P + 1, 'q');
  assert.equal(touch(main, a + 2 * P + 1), 'q'.charCodeAt(0));
  const child = fork();
  assert.equal(inode.filePages?.mappers, 2);
  assert.equal(touch(child, a + 3 * P + 7, true, 0x55), 0);
  assert.equal(touch(main, a + 3 * P + 7), 0x55);
  assert.equal(get(3 * P + 7, 1), 'U');
  // Kernel copies (read(2) into the mapping) land in the file too.
  assert.equal(main.mm.writeBytes(a + P, new TextEncoder().encode('kern'), 0, 4), 0);
  assert.equal(get(P, 4), 'kern');
  check();
  assert.equal(main.mm.munmap(a, 4 * P), 0);
  child.mm.destroy();
  assert.equal(inode.filePages?.mappers, 0);
  assert.equal(file.refs, 0);
  assert.equal(get(10, 3), 'abZ'); // the data is the file's: it stays
  assert.equal(mf.usedBytes, 4 * P);
});

test('shmem: truncation unmaps freed pages in every address space; SIGBUS past the end; private copies dropped', () => {
  const { mf, inode, file, main, fork, touch, check, put } = setup();
  assert.equal(inode.setattr({ size: 3 * P }), 0);
  const a = main.mm.mmap(0, 3 * P, RW, MAP_SHARED, file, 0);
  const p = main.mm.mmap(0, 3 * P, RW, MAP_PRIVATE, file, 0);
  for (let i = 0; i < 3; i++) assert.equal(touch(main, a + i * P + 1, true, 7), 0);
  assert.equal(touch(main, a + P + 150, true, 8), 0);
  assert.equal(touch(main, p + 2 * P, true, 9), 0); // a private copy of page 2
  const child = fork();
  assert.equal(touch(child, a + 2 * P + 1), 7);
  const privBefore = main.mm.privateResidentBytes;
  assert.equal(inode.setattr({ size: P + 100 }), 0);
  assert.equal(inode.pages.count, 2);
  assert.equal(touch(main, a + 2 * P), -FAULT_SIGBUS);
  assert.equal(touch(child, a + 2 * P + 1), -FAULT_SIGBUS);
  assert.equal(touch(main, p + 2 * P), -FAULT_SIGBUS);
  assert.ok(main.mm.privateResidentBytes < privBefore);
  assert.equal(touch(main, a + P + 1), 7);
  assert.equal(touch(child, a + P + 150), 0); // the tail of the last page was zeroed
  check();
  // Growing back: fresh zero pages.
  assert.equal(inode.setattr({ size: 3 * P }), 0);
  assert.equal(touch(child, a + 2 * P + 1), 0);
  put(2 * P + 1, 'x');
  assert.equal(touch(main, a + 2 * P + 1), 'x'.charCodeAt(0));
  check();
  main.mm.destroy();
  child.mm.destroy();
  assert.equal(file.refs, 0);
  assert.equal(mf.usedBytes, inode.pages.count * P);
});

test('shmem: truncation walks address spaces only while the file is mapped', () => {
  const { inode, file, main, put } = setup();
  const calls: number[][] = [];
  const saved = filePagesHooks.invalidate;
  filePagesHooks.invalidate = (pages, pg, end, cows) => {
    calls.push([pg, end, cows ? 1 : 0]);
    saved(pages, pg, end, cows);
  };
  try {
    put(0, 'x'.repeat(3 * P));
    assert.equal(inode.setattr({ size: 2 * P }), 0);
    assert.deepEqual(calls, []);
    const a = main.mm.mmap(0, 2 * P, PROT_READ, MAP_SHARED, file, 0);
    assert.equal(inode.setattr({ size: P }), 0);
    assert.equal(inode.allocate(3 /* PUNCH_HOLE|KEEP_SIZE */, 0, P), 0);
    assert.deepEqual(calls, [[1, Infinity, 1], [0, 1, 0]]);
    assert.equal(main.mm.munmap(a, 2 * P), 0);
    assert.equal(inode.setattr({ size: 0 }), 0);
    assert.equal(calls.length, 2);
  } finally {
    filePagesHooks.invalidate = saved;
  }
});

test('shmem: a full tmpfs is SIGBUS on a fault that needs a page; MADV_REMOVE punches the file', () => {
  const { mf, inode, file, main, touch, check, get } = setup(2 * P);
  assert.equal(inode.setattr({ size: 4 * P }), 0);
  const a = main.mm.mmap(0, 4 * P, RW, MAP_SHARED, file, 0);
  assert.equal(touch(main, a, true, 1), 0);
  assert.equal(touch(main, a + P, true, 2), 0);
  assert.equal(touch(main, a + 2 * P, true, 3), -FAULT_SIGBUS);
  assert.equal(inode.pages.count, 2);
  assert.equal(main.mm.madvise(a, P, MADV_REMOVE), 0);
  assert.equal(inode.pages.count, 1);
  assert.equal(get(0, 1), '\u0000');
  assert.equal(get(P, 1), '\u0002');
  assert.equal(touch(main, a + 2 * P, true, 3), 0); // the punched page made room
  assert.equal(mf.usedBytes, 2 * P);
  assert.equal(touch(main, a), -FAULT_SIGBUS); // and the hole needs one again
  check();
  main.mm.destroy();
});

test('tmpfs pages in the MemoryFile: its limit is ENOMEM for write and fallocate, with nothing charged', () => {
  const { mf, fs, inode } = setup(0, 4);
  const big = new Uint8Array(6 * P).fill(1);
  assert.equal(inode.writeAt(0, big, 0, big.length), 4 * P); // a short write
  assert.equal(inode.writeAt(4 * P, big, 0, 1), -Errno.ENOMEM);
  assert.equal(fs.usedPages, 4);
  assert.equal(inode.setattr({ size: P }), 0);
  assert.equal(mf.usedBytes, P);
  assert.equal(fs.usedPages, 1);
  assert.equal(inode.allocate(0, 0, 8 * P), -Errno.ENOMEM); // all or nothing
  assert.equal(fs.usedPages, 1);
  assert.equal(mf.usedBytes, P);
  assert.equal(inode.attrs.size, P);
  assert.equal(inode.allocate(0, 0, 4 * P), 0);
  assert.equal(mf.usedBytes, 4 * P);
  assert.equal(inode.attrs.blocks, 32);
});

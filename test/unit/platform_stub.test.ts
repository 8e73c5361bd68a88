// The ptrace platform's stubs: every address space's stub is a fork of one
// template stub (docs/platform-ptrace.md). What a new stub inherits, that dead
// stubs leave nothing behind, that guest threads in forked stubs work, and
// that no stub outlives the sentry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Errno } from '../../src/abi/linux/errno.js';
import { MemoryFile } from '../../src/memory/memory_file.js';
import { native } from '../../src/platform/native.js';
import { Reg, StopKind, type AddressSpace, type Context } from '../../src/platform/platform.js';
import { PtracePlatform, SPARE_STUBS } from '../../src/platform/ptrace.js';

const PAGE = 4096;
const CODE_ADDR = 0x10000;
const SYS_getpid = 39;
const SYS_exit = 60;
// mov eax, 39; syscall; mov edi, eax; mov eax, 60; syscall
const CODE = [0xb8, 0x27, 0, 0, 0, 0x0f, 0x05, 0x89, 0xc7, 0xb8, 0x3c, 0, 0, 0, 0x0f, 0x05];

function memoryFile(): MemoryFile {
  const mf = MemoryFile.create(64 << 20);
  assert.ok(mf instanceof MemoryFile);
  return mf;
}

function status(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

/** Live (not zombie) state of a host process: undefined once it is gone. */
function state(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** Host processes whose parent is ppid, with their state. */
function childrenOf(ppid: number): { pid: number; state: string }[] {
  const out: { pid: number; state: string }[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[1]) === ppid) out.push({ pid: Number(name), state: f[0] });
  }
  return out;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Polls cond for up to ms (stubs are reaped by their control threads, after destroy() returns). */
function eventually(cond: () => boolean, ms = 3000): boolean {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    sleep(5);
  }
  return true;
}

function nextStop(p: PtracePlatform, timeoutMs = 5000): Context {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const c = p.takeStopped();
    if (c) return c;
    assert.ok(Date.now() < end, 'no stop within the timeout');
    p.waitStopped(10);
  }
}

/** Kills an address space and its (stopped) contexts, then frees everything. */
function teardown(p: PtracePlatform, as: AddressSpace, ctxs: Context[]): void {
  as.kill();
  for (const c of ctxs) c.exit();
  for (let left = ctxs.length; left > 0; left--) {
    const c = nextStop(p);
    assert.ok(ctxs.includes(c));
    if (c.regs32[Reg.EV_KIND * 2] !== StopKind.Exit) {
      left++;
      continue;
    }
    c.release();
  }
  as.destroy();
}

/** The lines of a stub's /proc/PID/maps but the host vDSO's ([vvar], [vvar_vclock], [vdso]: docs/vdso.md). */
function mapsWithoutVdso(pid: number): string[] {
  return fs.readFileSync(`/proc/${pid}/maps`, 'utf8').trim().split('\n').filter((l) => !/ \[(vvar|vvar_vclock|vdso)\]$/.test(l));
}

test('a forked stub holds only the stub page, the host vDSO and the MemoryFile, and is not the template', () => {
  const p = new PtracePlatform();
  const mf = memoryFile();
  const as = p.newAddressSpace(mf.fd);
  assert.ok(typeof as !== 'number', `newAddressSpace: ${String(as)}`);
  const pid = as.hostPid;
  const all = fs.readFileSync(`/proc/${pid}/maps`, 'utf8');
  const maps = mapsWithoutVdso(pid);
  const stubPage = as.maxAddress.toString(16).padStart(12, '0');
  // The host vDSO stays, where AddressSpace.special says, and is offered (the sentry's own has one).
  assert.ok((as.special ?? []).some((m) => m.name === '[vdso]'), 'a [vdso] is offered');
  for (const m of as.special ?? []) {
    assert.match(all, new RegExp(`^${m.start.toString(16)}-${m.end.toString(16)} .* \\${m.name.slice(0, -1)}\\]$`, 'm'));
  }
  assert.equal(maps.length, 2, maps.join('\n'));
  assert.match(maps[0], new RegExp(`^${stubPage}-[0-9a-f]+ r-xp 00000000 00:00 0`));
  assert.match(maps[1], /\[vsyscall\]$/);
  assert.deepEqual(fs.readdirSync(`/proc/${pid}/fd`), ['3']);
  assert.equal(fs.statSync(`/proc/${pid}/fd/3`).ino, fs.fstatSync(mf.fd).ino);
  const st = status(pid);
  assert.equal(st.Threads, '1');
  assert.equal(st.SigIgn, '0000000000000000');
  assert.equal(st.SigCgt, '0000000000000000');
  assert.equal(st.SigBlk, '0000000000000000');
  assert.equal(st.NoNewPrivs, '0');
  assert.notEqual(st.TracerPid, '0');
  // Its parent is the template: a stub too, the sentry's child, ignoring SIGCHLD.
  const template = Number(st.PPid);
  assert.notEqual(template, process.pid);
  const tst = status(template);
  assert.equal(Number(tst.PPid), process.pid);
  assert.equal(tst.SigIgn, '0000000000010000');
  assert.deepEqual(fs.readdirSync(`/proc/${template}/fd`), ['3']);
  assert.equal(mapsWithoutVdso(template).length, 2);
  // The next stub is another child of the same template.
  const as2 = p.newAddressSpace(mf.fd);
  assert.ok(typeof as2 !== 'number');
  assert.notEqual(as2.hostPid, pid);
  assert.equal(Number(status(as2.hostPid).PPid), template);
  teardown(p, as, []);
  teardown(p, as2, []);
  // Closed and unused, the platform destroys its template.
  p.close();
  assert.ok(eventually(() => state(template) === undefined));
  assert.deepEqual(childrenOf(template), []);
});

test('the template is never handed out: no threads, no mappings, only its own MemoryFile', () => {
  const n = native();
  const mf = memoryFile();
  const other = memoryFile();
  const out = new Int32Array(2);
  assert.equal(n.stubTemplate(mf.fd, out), 0);
  const [template, tpid] = [out[0], out[1]];
  const regs = new ArrayBuffer(32 * 8);
  const fp = new ArrayBuffer(4096);
  assert.equal(n.threadCreate(template, regs, fp, new Int32Array(2)), -Errno.EBADF);
  assert.equal(n.stubSyscall(template, 9, 0x10000, PAGE, 7, 0x11, 3, 0), -Errno.EBADF);
  assert.equal(n.stubCreate(template, other.fd, out), -Errno.ESTALE);
  assert.equal(mapsWithoutVdso(tpid).length, 2);
  assert.equal(n.stubDestroy(template), 0);
  assert.ok(eventually(() => state(tpid) === undefined));
});

test('guest threads in forked stubs run syscall round trips, independently', () => {
  const p = new PtracePlatform();
  const mf = memoryFile();
  const off = mf.allocate(PAGE);
  assert.ok(off >= 0);
  const code = new Uint8Array(PAGE).fill(0xcc);
  code.set(CODE);
  assert.ok(mf.write(off, code, 0, PAGE));
  const spaces: AddressSpace[] = [];
  const ctxs: Context[] = [];
  for (let i = 0; i < 3; i++) {
    const as = p.newAddressSpace(mf.fd);
    assert.ok(typeof as !== 'number');
    assert.equal(as.map(CODE_ADDR, PAGE, 5, off), 0);
    spaces.push(as);
  }
  for (let i = 0; i < 3; i++) {
    const ctx = p.newContext(spaces[i]);
    assert.ok(typeof ctx !== 'number', `newContext: ${String(ctx)}`);
    assert.ok(fs.existsSync(`/proc/${spaces[i].hostPid}/task/${ctx.hostTid}`));
    ctx.regs64[Reg.RIP] = BigInt(CODE_ADDR);
    ctx.regs64[Reg.RSP] = 0n;
    ctxs.push(ctx);
  }
  for (const c of ctxs) c.resume();
  const seen = new Set<Context>();
  for (let i = 0; i < 3; i++) {
    const c = nextStop(p);
    assert.equal(c.regs32[Reg.EV_KIND * 2], StopKind.Syscall);
    assert.equal(Number(c.regs64[Reg.ORIG_RAX]), SYS_getpid);
    seen.add(c);
    c.regs64[Reg.RAX] = BigInt(1000 + ctxs.indexOf(c));
  }
  assert.equal(seen.size, 3);
  for (const c of ctxs) c.resume();
  for (let i = 0; i < 3; i++) {
    const c = nextStop(p);
    assert.equal(c.regs32[Reg.EV_KIND * 2], StopKind.Syscall);
    assert.equal(Number(c.regs64[Reg.ORIG_RAX]), SYS_exit);
    assert.equal(Number(c.regs64[Reg.RDI]), 1000 + ctxs.indexOf(c));
  }
  // A second thread in the first stub: parked, then also runs the code.
  const t2 = p.newContext(spaces[0]);
  assert.ok(typeof t2 !== 'number');
  t2.regs64[Reg.RIP] = BigInt(CODE_ADDR);
  t2.resume();
  const c = nextStop(p);
  assert.equal(c, t2);
  assert.equal(Number(c.regs64[Reg.ORIG_RAX]), SYS_getpid);
  teardown(p, spaces[0], [ctxs[0], t2]);
  teardown(p, spaces[1], [ctxs[1]]);
  teardown(p, spaces[2], [ctxs[2]]);
  p.close();
});

test('many create/kill cycles leave no zombies and no leaked descriptors or threads', () => {
  const p = new PtracePlatform();
  const mf = memoryFile();
  let template = 0;
  const pids = new Set<number>();
  const cycles = (n: number) => {
    for (let i = 0; i < n; i++) {
      const as = p.newAddressSpace(mf.fd);
      assert.ok(typeof as !== 'number', `cycle ${i}: ${String(as)}`);
      template ||= Number(status(as.hostPid).PPid);
      pids.add(as.hostPid);
      const ctxs: Context[] = [];
      for (let j = 0; j < i % 3; j++) {
        const c = p.newContext(as);
        assert.ok(typeof c !== 'number');
        ctxs.push(c);
      }
      teardown(p, as, ctxs);
    }
  };
  // Only the spare stubs (made ahead for the next address spaces) may be left.
  const settled = () => childrenOf(template).length <= SPARE_STUBS;
  cycles(30); // the template and the pool of native threads are made
  assert.ok(eventually(settled));
  const fds = fs.readdirSync('/proc/self/fd').length;
  const threads = fs.readdirSync('/proc/self/task').length;
  cycles(150);
  assert.equal(pids.size, 180);
  assert.ok(eventually(settled), `left: ${JSON.stringify(childrenOf(template))}`);
  assert.deepEqual(childrenOf(process.pid).filter((c) => c.state === 'Z'), []);
  for (const pid of pids) assert.equal(state(pid), undefined, `stub ${pid} left`);
  assert.equal(fs.readdirSync('/proc/self/fd').length, fds);
  assert.ok(fs.readdirSync('/proc/self/task').length <= threads, 'native threads grew');
  assert.notEqual(state(template), undefined); // kept until the platform is closed
  p.close();
  assert.ok(eventually(() => state(template) === undefined));
});

test('a template killed from outside is replaced', () => {
  const p = new PtracePlatform();
  const mf = memoryFile();
  const as = p.newAddressSpace(mf.fd);
  assert.ok(typeof as !== 'number');
  const template = Number(status(as.hostPid).PPid);
  process.kill(template, 'SIGKILL');
  // Its stubs die with it (PR_SET_PDEATHSIG).
  assert.ok(eventually(() => state(as.hostPid) === undefined || state(as.hostPid) === 'Z'));
  const as2 = p.newAddressSpace(mf.fd);
  assert.ok(typeof as2 !== 'number', `newAddressSpace: ${String(as2)}`);
  const template2 = Number(status(as2.hostPid).PPid);
  assert.notEqual(template2, template);
  as.destroy();
  teardown(p, as2, []);
  p.close();
  assert.ok(eventually(() => state(template2) === undefined));
});

test('no stub outlives a sentry killed with SIGKILL', async () => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const dist = path.resolve(here, '..', '..', 'src');
  const script = `
    import { PtracePlatform } from ${JSON.stringify(path.join(dist, 'platform', 'ptrace.js'))};
    import { MemoryFile } from ${JSON.stringify(path.join(dist, 'memory', 'memory_file.js'))};
    const p = new PtracePlatform();
    const mf = MemoryFile.create(64 << 20);
    const pids = [];
    for (let i = 0; i < 4; i++) {
      const as = p.newAddressSpace(mf.fd);
      pids.push(as.hostPid);
      if (i % 2) p.newContext(as);
    }
    const fs = await import('node:fs');
    const st = fs.readFileSync('/proc/' + pids[0] + '/status', 'utf8');
    pids.push(Number(/PPid:\\s+(\\d+)/.exec(st)[1]));
    console.log(JSON.stringify(pids));
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve(buf.split('\n')[0]);
    });
    child.on('exit', (code) => reject(new Error(`sentry exited early: ${code}`)));
  });
  const pids = JSON.parse(line) as number[];
  assert.equal(pids.length, 5);
  for (const pid of pids) assert.notEqual(state(pid), undefined);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const alive = () => pids.filter((pid) => state(pid) !== undefined && state(pid) !== 'Z');
  for (let i = 0; i < 100 && alive().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(alive(), []);
});

test('spare stubs: made ahead once a second address space is asked for, their threads run guest code, none left after close', () => {
  const p = new PtracePlatform();
  const mf = memoryFile();
  const off = mf.allocate(PAGE);
  assert.ok(off >= 0);
  const code = new Uint8Array(PAGE).fill(0xcc);
  code.set(CODE);
  assert.ok(mf.write(off, code, 0, PAGE));
  const first = p.newAddressSpace(mf.fd);
  assert.ok(typeof first !== 'number');
  const template = Number(status(first.hostPid).PPid);
  const fromSpare = (as: AddressSpace): boolean => (as as unknown as { spare: unknown }).spare !== null;
  assert.equal(fromSpare(first), false);
  let spares = 0;
  for (let i = 0; i < 8; i++) {
    const as = p.newAddressSpace(mf.fd);
    assert.ok(typeof as !== 'number', `newAddressSpace: ${String(as)}`);
    if (fromSpare(as)) spares++;
    assert.equal(as.map(CODE_ADDR, PAGE, 5, off), 0);
    const ctx = p.newContext(as);
    assert.ok(typeof ctx !== 'number', `newContext: ${String(ctx)}`);
    assert.equal(fromSpare(as), false); // its thread was taken
    assert.ok(fs.existsSync(`/proc/${as.hostPid}/task/${ctx.hostTid}`));
    ctx.regs64[Reg.RIP] = BigInt(CODE_ADDR);
    ctx.resume();
    const c = nextStop(p);
    assert.equal(c, ctx);
    assert.equal(c.regs32[Reg.EV_KIND * 2], StopKind.Syscall);
    assert.equal(Number(c.regs64[Reg.ORIG_RAX]), SYS_getpid);
    teardown(p, as, [ctx]);
    // Ready spares: the template's children are the first stub and at most SPARE_STUBS more.
    assert.ok(eventually(() => childrenOf(template).length === 1 + SPARE_STUBS), `children: ${JSON.stringify(childrenOf(template))}`);
  }
  assert.ok(spares >= 7, `${spares} of 8 address spaces came from spares`);
  // An address space destroyed before its spare thread was taken lets it go.
  const unused = p.newAddressSpace(mf.fd);
  assert.ok(typeof unused !== 'number');
  assert.ok(fromSpare(unused));
  teardown(p, unused, []);
  teardown(p, first, []);
  p.close();
  assert.ok(eventually(() => state(template) === undefined));
  assert.deepEqual(childrenOf(template), []);
  assert.deepEqual(childrenOf(process.pid).filter((c) => c.state === 'Z'), []);
});

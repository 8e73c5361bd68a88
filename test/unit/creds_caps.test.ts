// Credentials and capability transitions (src/kernel/creds.ts,
// src/kernel/capabilities.ts) against man 7 capabilities and
// security/commoncap.c: the sets, the set*uid and setfsuid fix-ups, capset's
// rules, execve's transformation (root, set-user-ID, ambient, file
// capabilities, no_new_privs), the VFS's capable(), and CPU-time splitting.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Capability as Cap, Securebit } from '../../src/abi/linux/capability.js';
import { Errno } from '../../src/abi/linux/errno.js';
import {
  CapSet,
  applyCapset,
  capsetAllowed,
  credsAfterExec,
  decodeFileCaps,
  fixCapsAfterSetfsuid,
  fixCapsAfterSetuid,
  procCaps,
  type ExecCreds,
  type FileCaps,
} from '../../src/kernel/capabilities.js';
import { Credentials } from '../../src/kernel/creds.js';
import { adjustCputime } from '../../src/kernel/limits.js';
import { capable, type FsCredentials } from '../../src/vfs/credentials.js';

const FULL = CapSet.FULL;
const EMPTY = CapSet.EMPTY;

function exec(c: Credentials, ...args: [number, number, boolean, boolean, boolean, { unsafe?: boolean; fileCaps?: FileCaps | null }?]): ExecCreds {
  const r = credsAfterExec(c, ...args);
  assert.notEqual(typeof r, 'number', `exec failed: ${String(r)}`);
  return r as ExecCreds;
}

/** uid 1000 everywhere (a user's shell). */
function user(uid = 1000, gid = 1000): Credentials {
  return new Credentials(uid, gid);
}

describe('CapSet', () => {
  test('bits in both words, masked to CAP_LAST_CAP', () => {
    const s = CapSet.of(Cap.CAP_CHOWN, Cap.CAP_SETFCAP, Cap.CAP_MAC_OVERRIDE, Cap.CAP_CHECKPOINT_RESTORE);
    assert.equal(s.lo, 0x80000001);
    assert.equal(s.hi, 0x101);
    assert.ok(s.has(Cap.CAP_SETFCAP) && s.has(Cap.CAP_CHECKPOINT_RESTORE) && !s.has(Cap.CAP_KILL));
    assert.ok(!s.has(41) && !s.has(-1) && !s.has(63));
    assert.equal(FULL.toBigInt(), (1n << 41n) - 1n);
    assert.equal(new CapSet(0xffffffff, 0xffffffff).toBigInt(), FULL.toBigInt());
    assert.equal(CapSet.fromBigInt(1n << 63n).isEmpty(), true);
    assert.equal(FULL.toString(), '000001ffffffffff');
  });
  test('set algebra', () => {
    const a = CapSet.of(Cap.CAP_KILL, Cap.CAP_BPF);
    const b = CapSet.of(Cap.CAP_BPF, Cap.CAP_SYSLOG);
    assert.ok(a.and(b).equals(CapSet.of(Cap.CAP_BPF)));
    assert.ok(a.or(b).equals(CapSet.of(Cap.CAP_KILL, Cap.CAP_BPF, Cap.CAP_SYSLOG)));
    assert.ok(a.andNot(b).equals(CapSet.of(Cap.CAP_KILL)));
    assert.ok(a.and(b).subsetOf(a) && !a.subsetOf(b) && EMPTY.subsetOf(a) && a.subsetOf(FULL));
    assert.ok(a.without(Cap.CAP_BPF).with(Cap.CAP_SYSLOG).equals(CapSet.of(Cap.CAP_KILL, Cap.CAP_SYSLOG)));
    assert.ok(a.with(99).equals(a));
  });
  test('CAP_FS_MASK is the fsuid-following set', () => {
    const want = [Cap.CAP_CHOWN, Cap.CAP_DAC_OVERRIDE, Cap.CAP_DAC_READ_SEARCH, Cap.CAP_FOWNER, Cap.CAP_FSETID, Cap.CAP_LINUX_IMMUTABLE, Cap.CAP_MKNOD, Cap.CAP_MAC_OVERRIDE];
    assert.ok(CapSet.FS.equals(CapSet.of(...want)));
  });
});

describe('Credentials', () => {
  test('root starts with every capability; other users with none', () => {
    const r = new Credentials();
    assert.ok(r.permitted.equals(FULL) && r.effective.equals(FULL) && r.bounding.equals(FULL));
    assert.ok(r.inheritable.isEmpty() && r.ambient.isEmpty());
    assert.equal(r.securebits, 0);
    assert.equal(r.noNewPrivs, false);
    const u = user();
    assert.ok(u.permitted.isEmpty() && u.effective.isEmpty() && u.bounding.equals(FULL));
    // real uid 0 only: permitted, not effective (an exec by root with euid ≠ 0)
    const ru = new Credentials(0, 0, 1000);
    assert.ok(ru.permitted.equals(FULL) && ru.effective.isEmpty());
  });
  test('groups are sorted, clone copies everything', () => {
    const c = new Credentials(5, 6, 5, 6, 5, 6, 5, 6, [30, 10, 20, 10]);
    assert.deepEqual(c.groups, [10, 10, 20, 30]);
    c.securebits = Securebit.SECBIT_KEEP_CAPS;
    c.noNewPrivs = true;
    c.ambient = CapSet.of(Cap.CAP_KILL);
    const d = c.clone();
    assert.notEqual(d, c);
    assert.deepEqual({ ...d }, { ...c });
    d.setGroups([3, 1]);
    assert.deepEqual(d.groups, [1, 3]);
    assert.deepEqual(c.groups, [10, 10, 20, 30]);
  });
  test('withCaps keeps the invariants (effective ⊆ permitted, ambient ⊆ permitted ∩ inheritable)', () => {
    const docker = CapSet.of(Cap.CAP_CHOWN, Cap.CAP_KILL, Cap.CAP_NET_BIND_SERVICE);
    const c = new Credentials().withCaps({ permitted: docker, effective: FULL, bounding: docker, ambient: CapSet.of(Cap.CAP_KILL) });
    assert.ok(c.permitted.equals(docker) && c.effective.equals(docker) && c.bounding.equals(docker));
    assert.ok(c.ambient.isEmpty());
  });
  test('forAccess: real IDs, and the real uid decides the capabilities', () => {
    const setuidRoot = new Credentials(1000, 1000, 0, 1000, 0);
    const a = setuidRoot.forAccess();
    assert.equal(a.fsuid, 1000);
    assert.ok(a.effective.isEmpty());
    const rootAsUser = new Credentials(0, 0, 1000);
    assert.ok(rootAsUser.forAccess().effective.equals(FULL));
    rootAsUser.securebits = Securebit.SECBIT_NO_SETUID_FIXUP;
    assert.ok(rootAsUser.forAccess().effective.isEmpty());
  });
  test('the VFS asks the effective set', () => {
    const c = new Credentials();
    assert.equal(capable(c, Cap.CAP_DAC_OVERRIDE), true);
    c.effective = c.effective.without(Cap.CAP_DAC_OVERRIDE);
    assert.equal(capable(c, Cap.CAP_DAC_OVERRIDE), false);
    assert.equal(capable(c, Cap.CAP_FOWNER), true);
    // plain objects without sets: root by IDs (fs capabilities by fsuid)
    const plain: FsCredentials = { uid: 0, gid: 0, euid: 0, fsuid: 1000, fsgid: 0, groups: [] };
    assert.equal(capable(plain, Cap.CAP_DAC_OVERRIDE), false);
    assert.equal(capable(plain, Cap.CAP_SYS_ADMIN), true);
  });
  test('procCaps gives the five sets as bigints', () => {
    const p = procCaps(new Credentials());
    assert.equal(p.effective, (1n << 41n) - 1n);
    assert.equal(p.inheritable, 0n);
  });
});

/** Applies a set*uid-style change to a clone and runs the fix-up. */
function setuid(c: Credentials, r: number, e: number, s: number): Credentials {
  const n = c.clone();
  n.uid = r;
  n.euid = e;
  n.suid = s;
  n.fsuid = e;
  fixCapsAfterSetuid(c, n);
  return n;
}

describe('user-ID changes (cap_emulate_setxuid)', () => {
  test('euid 0 → nonzero clears effective; back to 0 restores it from permitted', () => {
    const a = setuid(new Credentials(), 0, 1000, 0);
    assert.ok(a.effective.isEmpty() && a.permitted.equals(FULL));
    const b = setuid(a, 0, 0, 0);
    assert.ok(b.effective.equals(FULL));
  });
  test('leaving uid 0 in all three clears permitted, effective and ambient', () => {
    const r = new Credentials();
    r.inheritable = CapSet.of(Cap.CAP_NET_RAW);
    r.ambient = CapSet.of(Cap.CAP_NET_RAW);
    const n = setuid(r, 1000, 1000, 1000);
    assert.ok(n.permitted.isEmpty() && n.effective.isEmpty() && n.ambient.isEmpty());
    assert.ok(n.inheritable.equals(CapSet.of(Cap.CAP_NET_RAW)) && n.bounding.equals(FULL));
  });
  test('one uid left at 0 keeps permitted and ambient', () => {
    const r = new Credentials();
    r.ambient = CapSet.of(Cap.CAP_NET_RAW);
    const n = setuid(r, 1000, 1000, 0);
    assert.ok(n.permitted.equals(FULL) && n.effective.isEmpty() && n.ambient.equals(r.ambient));
  });
  test('SECBIT_KEEP_CAPS keeps permitted (not effective, not ambient)', () => {
    const r = new Credentials();
    r.securebits = Securebit.SECBIT_KEEP_CAPS;
    r.ambient = CapSet.of(Cap.CAP_NET_RAW);
    const n = setuid(r, 1000, 1000, 1000);
    assert.ok(n.permitted.equals(FULL) && n.effective.isEmpty() && n.ambient.isEmpty());
  });
  test('SECBIT_NO_SETUID_FIXUP leaves every set alone', () => {
    const r = new Credentials();
    r.securebits = Securebit.SECBIT_NO_SETUID_FIXUP;
    const n = setuid(r, 1000, 1000, 1000);
    assert.ok(n.permitted.equals(FULL) && n.effective.equals(FULL));
  });
  test('non-root changes do nothing to capabilities', () => {
    const u = user();
    u.permitted = CapSet.of(Cap.CAP_KILL);
    u.effective = u.permitted;
    const n = setuid(u, 1000, 2000, 1000);
    assert.ok(n.effective.equals(u.effective));
  });
  test('fsuid leaving 0 drops CAP_FS_MASK; returning raises the permitted part', () => {
    const r = new Credentials();
    const n = r.clone();
    n.fsuid = 1000;
    fixCapsAfterSetfsuid(r, n);
    assert.ok(n.effective.equals(FULL.andNot(CapSet.FS)));
    const m = n.clone();
    m.permitted = m.permitted.without(Cap.CAP_CHOWN);
    m.fsuid = 0;
    fixCapsAfterSetfsuid(n, m);
    assert.ok(m.effective.equals(FULL.without(Cap.CAP_CHOWN)));
    // between two nonzero fsuids: nothing
    const u = user();
    const v = u.clone();
    v.fsuid = 2000;
    fixCapsAfterSetfsuid(u, v);
    assert.ok(v.effective.isEmpty());
  });
});

describe('capset rules (cap_capset)', () => {
  const root = new Credentials();
  test('effective within the new permitted, permitted never grows', () => {
    const perm = FULL.without(Cap.CAP_SYS_ADMIN);
    assert.equal(capsetAllowed(root, perm, perm, EMPTY), 0);
    assert.equal(capsetAllowed(root, FULL, perm, EMPTY), -Errno.EPERM);
    const n = root.clone();
    applyCapset(n, perm, perm, EMPTY);
    assert.equal(capsetAllowed(n, FULL, FULL, EMPTY), -Errno.EPERM);
  });
  test('inheritable: within inheritable ∪ permitted unless CAP_SETPCAP; never outside inheritable ∪ bounding', () => {
    const c = root.clone();
    c.permitted = CapSet.of(Cap.CAP_KILL);
    c.effective = c.permitted;
    assert.equal(capsetAllowed(c, c.effective, c.permitted, CapSet.of(Cap.CAP_KILL)), 0);
    assert.equal(capsetAllowed(c, c.effective, c.permitted, CapSet.of(Cap.CAP_BPF)), -Errno.EPERM);
    c.permitted = c.permitted.with(Cap.CAP_SETPCAP);
    c.effective = c.permitted;
    assert.equal(capsetAllowed(c, c.effective, c.permitted, CapSet.of(Cap.CAP_BPF)), 0);
    c.bounding = c.bounding.without(Cap.CAP_BPF);
    assert.equal(capsetAllowed(c, c.effective, c.permitted, CapSet.of(Cap.CAP_BPF)), -Errno.EPERM);
    c.inheritable = CapSet.of(Cap.CAP_BPF);
    assert.equal(capsetAllowed(c, c.effective, c.permitted, CapSet.of(Cap.CAP_BPF)), 0);
  });
  test('ambient keeps only capabilities still permitted and inheritable', () => {
    const c = root.clone();
    c.inheritable = CapSet.of(Cap.CAP_KILL, Cap.CAP_BPF);
    c.ambient = c.inheritable;
    applyCapset(c, FULL, FULL, CapSet.of(Cap.CAP_KILL));
    assert.ok(c.ambient.equals(CapSet.of(Cap.CAP_KILL)));
    applyCapset(c, EMPTY, EMPTY, CapSet.of(Cap.CAP_KILL));
    assert.ok(c.ambient.isEmpty());
  });
});

describe('execve (cap_bprm_creds_from_file)', () => {
  test('root runs an ordinary program with the bounding set, all effective', () => {
    const r = new Credentials();
    r.bounding = FULL.without(Cap.CAP_SYS_MODULE);
    r.permitted = EMPTY; // even after dropping them: uid 0 gets them back from the bounding set
    r.effective = EMPTY;
    const x = exec(r, 1000, 1000, false, false, false);
    assert.ok(x.creds.permitted.equals(r.bounding) && x.creds.effective.equals(r.bounding));
    assert.equal(x.secure, false);
    assert.notEqual(x.creds, r);
  });
  test('a user runs an ordinary program with nothing', () => {
    const u = user();
    const x = exec(u, 0, 0, false, false, false);
    assert.ok(x.creds.permitted.isEmpty() && x.creds.effective.isEmpty());
    assert.equal(x.secure, false);
    assert.deepEqual([x.creds.uid, x.creds.euid, x.creds.suid, x.creds.fsuid], [1000, 1000, 1000, 1000]);
  });
  test('set-user-ID root: euid, saved and fs uid 0, full capabilities, AT_SECURE', () => {
    const u = user();
    u.inheritable = CapSet.of(Cap.CAP_NET_RAW);
    u.permitted = CapSet.of(Cap.CAP_NET_RAW);
    u.ambient = CapSet.of(Cap.CAP_NET_RAW);
    const x = exec(u, 0, 0, true, false, false);
    assert.deepEqual([x.creds.uid, x.creds.euid, x.creds.suid, x.creds.fsuid], [1000, 0, 0, 0]);
    assert.ok(x.creds.permitted.equals(FULL) && x.creds.effective.equals(FULL));
    assert.ok(x.creds.ambient.isEmpty());
    assert.equal(x.secure, true);
  });
  test('set-user-ID to another user: no capabilities, AT_SECURE', () => {
    const x = exec(user(), 2000, 0, true, false, false);
    assert.deepEqual([x.creds.uid, x.creds.euid, x.creds.suid], [1000, 2000, 2000]);
    assert.ok(x.creds.permitted.isEmpty());
    assert.equal(x.secure, true);
  });
  test('set-group-ID: egid, saved and fs gid', () => {
    const x = exec(user(), 0, 50, false, true, false);
    assert.deepEqual([x.creds.gid, x.creds.egid, x.creds.sgid, x.creds.fsgid], [1000, 50, 50, 50]);
    assert.equal(x.secure, true);
  });
  test('no_new_privs: set-ID bits ignored', () => {
    const u = user();
    const x = exec(u, 0, 0, true, true, true);
    assert.deepEqual([x.creds.euid, x.creds.egid], [1000, 1000]);
    assert.ok(x.creds.permitted.isEmpty());
    assert.equal(x.secure, false);
    u.noNewPrivs = true;
    const y = exec(u, 0, 0, true, false, false);
    assert.equal(y.creds.euid, 1000);
    assert.equal(y.creds.noNewPrivs, true);
  });
  test('unsafe (shared fs, tracer): set-user-ID cut back without CAP_SETUID, still AT_SECURE', () => {
    const x = exec(user(), 0, 0, true, false, false, { unsafe: true });
    assert.equal(x.creds.euid, 1000);
    assert.ok(x.creds.permitted.isEmpty());
    assert.equal(x.secure, true);
    // root with CAP_SETUID keeps the new euid, capabilities capped by the old permitted set
    const r = new Credentials();
    r.permitted = CapSet.of(Cap.CAP_SETUID);
    r.effective = r.permitted;
    const y = exec(r, 2000, 0, true, false, false, { unsafe: true });
    assert.equal(y.creds.euid, 2000);
  });
  test('euid ≠ uid left over from setresuid: the saved uid becomes the euid, AT_SECURE', () => {
    const c = new Credentials(1000, 1000, 0, 1000, 1000);
    const x = exec(c, 0, 0, false, false, false);
    assert.deepEqual([x.creds.uid, x.creds.euid, x.creds.suid], [1000, 0, 0]);
    assert.ok(x.creds.effective.equals(FULL));
    assert.equal(x.secure, true);
    // real uid 0, euid 1000: permitted but not effective
    const d = new Credentials(0, 0, 1000);
    const y = exec(d, 0, 0, false, false, false);
    assert.ok(y.creds.permitted.equals(FULL) && y.creds.effective.isEmpty());
  });
  test('ambient capabilities survive an ordinary exec into permitted and effective', () => {
    const u = user();
    u.permitted = CapSet.of(Cap.CAP_NET_BIND_SERVICE, Cap.CAP_KILL);
    u.inheritable = CapSet.of(Cap.CAP_NET_BIND_SERVICE);
    u.ambient = CapSet.of(Cap.CAP_NET_BIND_SERVICE);
    const x = exec(u, 0, 0, false, false, false);
    assert.ok(x.creds.permitted.equals(u.ambient) && x.creds.effective.equals(u.ambient));
    assert.ok(x.creds.ambient.equals(u.ambient));
    assert.equal(x.secure, false);
  });
  test('SECBIT_NOROOT: root gains nothing from its uid', () => {
    const r = new Credentials();
    r.securebits = Securebit.SECBIT_NOROOT;
    const x = exec(r, 0, 0, false, false, false);
    assert.ok(x.creds.permitted.isEmpty() && x.creds.effective.isEmpty());
    assert.equal(x.secure, false);
  });
  test('SECBIT_KEEP_CAPS is cleared; bounding, inheritable and securebits locks stay', () => {
    const r = new Credentials();
    r.securebits = Securebit.SECBIT_KEEP_CAPS | Securebit.SECBIT_NOROOT_LOCKED;
    r.inheritable = CapSet.of(Cap.CAP_KILL);
    const x = exec(r, 0, 0, false, false, false);
    assert.equal(x.creds.securebits, Securebit.SECBIT_NOROOT_LOCKED);
    assert.ok(x.creds.inheritable.equals(r.inheritable) && x.creds.bounding.equals(FULL));
  });
  test('file capabilities', () => {
    const u = user();
    u.inheritable = CapSet.of(Cap.CAP_KILL);
    const fc: FileCaps = { permitted: CapSet.of(Cap.CAP_NET_BIND_SERVICE), inheritable: CapSet.of(Cap.CAP_KILL), effective: true };
    const x = exec(u, 0, 0, false, false, false, { fileCaps: fc });
    assert.ok(x.creds.permitted.equals(CapSet.of(Cap.CAP_NET_BIND_SERVICE, Cap.CAP_KILL)));
    assert.ok(x.creds.effective.equals(x.creds.permitted));
    assert.equal(x.secure, true);
    // without the effective bit: permitted only, still AT_SECURE (permitted beyond ambient)
    const y = exec(u, 0, 0, false, false, false, { fileCaps: { ...fc, effective: false } });
    assert.ok(y.creds.effective.isEmpty());
    assert.equal(y.secure, true);
    // the bounding set masks fP; with the effective bit, a shortfall fails the exec
    u.bounding = FULL.without(Cap.CAP_NET_BIND_SERVICE);
    assert.equal(credsAfterExec(u, 0, 0, false, false, false, { fileCaps: fc }), -Errno.EPERM);
    assert.ok(exec(u, 0, 0, false, false, false, { fileCaps: { ...fc, effective: false } }).creds.permitted.equals(CapSet.of(Cap.CAP_KILL)));
    // a set-user-ID-root file with capabilities run by a user: only the file's capabilities
    const v = user();
    const z = exec(v, 0, 0, true, false, false, { fileCaps: { ...fc, inheritable: EMPTY } });
    assert.equal(z.creds.euid, 0);
    assert.ok(z.creds.permitted.equals(CapSet.of(Cap.CAP_NET_BIND_SERVICE)));
    // no_new_privs: no gain
    const w = exec(user(), 0, 0, false, false, true, { fileCaps: fc });
    assert.ok(w.creds.permitted.isEmpty());
  });
  test('decodeFileCaps: revisions 1-3, sizes, the namespace root', () => {
    const v2 = new Uint8Array(20);
    const dv = new DataView(v2.buffer);
    dv.setUint32(0, 0x02000001, true);
    dv.setUint32(4, 1 << Cap.CAP_NET_RAW, true);
    dv.setUint32(12, 1 << (Cap.CAP_BPF - 32), true);
    dv.setUint32(16, 0xffffffff, true);
    const d = decodeFileCaps(v2);
    assert.ok(d && d.effective && d.permitted.equals(CapSet.of(Cap.CAP_NET_RAW, Cap.CAP_BPF)));
    assert.ok(d.inheritable.equals(new CapSet(0, 0x1ff)));
    assert.equal(decodeFileCaps(v2.subarray(0, 12)), null);
    const v1 = new Uint8Array(12);
    new DataView(v1.buffer).setUint32(0, 0x01000000, true);
    assert.deepEqual(decodeFileCaps(v1)?.effective, false);
    const v3 = new Uint8Array(24);
    v3.set(v2);
    new DataView(v3.buffer).setUint32(0, 0x03000000, true);
    assert.ok(decodeFileCaps(v3));
    new DataView(v3.buffer).setUint32(20, 1000, true);
    assert.equal(decodeFileCaps(v3), null);
    assert.equal(decodeFileCaps(new Uint8Array(3)), null);
  });
});

describe('cputime_adjust', () => {
  test('splits by the tick ratio and never goes backwards', () => {
    const key = {};
    assert.deepEqual(adjustCputime(key, 1000, 3, 1), { utimeNs: 750, stimeNs: 250 });
    // the ratio shifts towards user time: system time must not decrease
    const b = adjustCputime(key, 1100, 10, 0);
    assert.equal(b.stimeNs, 250);
    assert.equal(b.utimeNs, 850);
    // rtime not above what was reported: the same answer
    assert.deepEqual(adjustCputime(key, 1000, 1, 1), b);
    // ticks all zero (a short-lived thread): all user time
    assert.deepEqual(adjustCputime({}, 500, 0, 0), { utimeNs: 500, stimeNs: 0 });
    assert.deepEqual(adjustCputime({}, 500, 0, 3), { utimeNs: 0, stimeNs: 500 });
  });
});

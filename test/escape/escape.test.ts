// The escape test (issue 3): a static guest (test/escape/escape.c) tries
// every single-threaded way out of its root — `..` chains, absolute and
// relative symlinks, chdir/fchdir, dirfds, O_PATH, /proc/self/{root,cwd},
// /proc/PID/fd magic links, rename races, chroot, openat2, linkat, symlinkat,
// renameat — and reads whatever it reached. A MARKER file holding a random
// secret sits next to ROOT (outside it): no attempt may read it. Afterwards
// the host ROOT tree is byte-for-byte unchanged when the overlay is on, the
// MARKER is unchanged, and nothing new appeared next to ROOT.
//
// A native run of the same program (no sandbox: the marker is reachable by
// its host path) must find the marker, which shows the test can fail.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildC } from '../helpers/cbuild.js';
import { repoRoot } from '../helpers/paths.js';
import { describeRun, run, runTsvisor, type RunResult } from '../helpers/run.js';

const TIMEOUT_MS = 120_000;
const SRC = path.join(repoRoot, 'test', 'escape', 'escape.c');
/** As MANY in escape.c. */
const MANY = 4500;
const CHECK_H = path.join(repoRoot, 'test', 'syscalls', 'check.h');

const CASES = [
  'dotdot_from_root',
  'dotdot_from_subdirs',
  'host_absolute_paths',
  'symlink_farm',
  'chdir_fchdir_dotdot',
  'openat_dirfds',
  'o_path_fds',
  'proc_self_root_and_cwd',
  'proc_fd_magic_links',
  'proc_other_pids',
  'rename_races',
  'openat2_resolve',
  'link_symlink_rename_out',
  'write_through_links',
  'fd_cache_eviction',
  'file_handles',
  'mount_tricks',
  'readlink_everything',
  'walk_everything',
  'chroot_then_dotdot',
];

let work = ''; // HOSTPARENT: holds ROOT, ROOT2 and MARKER
let binary = '';
const markerName = `tsvisor-escape-marker-${randomBytes(4).toString('hex')}`;
const secret = `TSVISOR-ESCAPE-SECRET-${randomBytes(16).toString('hex')}`;
/** The secret as the program gets it: every byte + 1 (so it is in no guest file, cmdline included). */
const encodedSecret = Array.from(secret, (c) => String.fromCharCode(c.charCodeAt(0) + 1)).join('');

/** The tree the guest starts from. */
function makeTree(root: string, hostParent: string): void {
  fs.mkdirSync(root);
  fs.mkdirSync(path.join(root, 'a', 'b', 'c', 'd'), { recursive: true });
  fs.mkdirSync(path.join(root, 'links'));
  fs.mkdirSync(path.join(root, 'w'));
  fs.mkdirSync(path.join(root, 'etc'));
  fs.writeFileSync(path.join(root, 'etc', 'hostname'), 'inside\n');
  fs.writeFileSync(path.join(root, 'a', 'file'), 'a file inside the root\n');
  fs.writeFileSync(path.join(root, 'a', 'b', 'file'), 'another\n');
  fs.writeFileSync(path.join(root, 'a', 'b', 'c', 'd', 'deep'), 'deep\n', { mode: 0o600 });
  fs.writeFileSync(path.join(root, 'a', 'exec'), '#!/bin/false\n', { mode: 0o755 });
  fs.writeFileSync(path.join(root, 'chain_end_marker'), 'end of the chain\n');
  const links: [string, string][] = [
    ['passwd_abs', '/etc/passwd'],
    ['passwd_rel', '../../../../etc/passwd'],
    ['up', '../../../..'],
    ['up_marker', `../../../../../${markerName}`],
    ['abs_marker', path.join(hostParent, markerName)],
    ['abs_hostparent', hostParent],
    ['root_link', '/proc/self/root'],
    ['cwd_link', '/proc/self/cwd'],
    ['fd_link', '/proc/self/fd/3'],
    ['chain1', 'chain2'],
    ['chain2', 'chain3'],
    ['chain3', '../a/../..'],
    ['loop1', 'loop2'],
    ['loop2', 'loop1'],
    ['self', 'self'],
    ['dotdot', '..'],
    ['deep_up', '../a/b/c/d/../../../../../../../..'],
    ['a_up', '/a/b/../../..'],
  ];
  for (const [name, target] of links) fs.symlinkSync(target, path.join(root, 'links', name));
  fs.symlinkSync('../../..', path.join(root, 'a', 'b', 'up2'));
  fs.symlinkSync(`../../../${markerName}`, path.join(root, 'a', 'b', 'c', 'marker_rel'));
  fs.symlinkSync('/proc/self/root/..', path.join(root, 'a', 'proc_root_up'));
  // More files than the host file system keeps descriptors for (4096): see fd_cache_eviction.
  fs.mkdirSync(path.join(root, 'many'));
  for (let i = 0; i < MANY; i++) fs.writeFileSync(path.join(root, 'many', `f${i}`), '');
  fs.copyFileSync(binary, path.join(root, 'escape'));
  fs.chmodSync(path.join(root, 'escape'), 0o755);
}

interface Entry {
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  ino: number;
  mtimeMs: number;
  size: number;
  hash?: string;
  target?: string;
}

/** Every entry under dir: name → type/mode, owner, links, inode, mtime, content hash or link target. */
function snapshot(dir: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const rootSt = fs.lstatSync(dir);
  out.set('.', {
    mode: rootSt.mode,
    uid: rootSt.uid,
    gid: rootSt.gid,
    nlink: rootSt.nlink,
    ino: rootSt.ino,
    mtimeMs: rootSt.mtimeMs,
    size: rootSt.size,
  });
  const walk = (rel: string): void => {
    const abs = path.join(dir, rel);
    for (const name of fs.readdirSync(abs).sort()) {
      const r = path.join(rel, name);
      const st = fs.lstatSync(path.join(dir, r));
      const e: Entry = {
        mode: st.mode,
        uid: st.uid,
        gid: st.gid,
        nlink: st.nlink,
        ino: st.ino,
        mtimeMs: st.mtimeMs,
        size: st.size,
      };
      if (st.isSymbolicLink()) e.target = fs.readlinkSync(path.join(dir, r));
      else if (st.isFile()) e.hash = createHash('sha256').update(fs.readFileSync(path.join(dir, r))).digest('hex');
      out.set(r, e);
      if (st.isDirectory()) walk(r);
    }
  };
  walk('.');
  return out;
}

function diff(a: Map<string, Entry>, b: Map<string, Entry>): string[] {
  const out: string[] = [];
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w) out.push(`removed: ${k}`);
    else if (JSON.stringify(v) !== JSON.stringify(w)) out.push(`changed: ${k}: ${JSON.stringify(v)} -> ${JSON.stringify(w)}`);
  }
  for (const k of b.keys()) if (!a.has(k)) out.push(`added: ${k}`);
  return out;
}

/** The program as tsvisor is given it: a path inside the sandbox's root (tsvisor resolves PROGRAM there, as runsc does). */
function guestProgram(_root: string): string {
  return '/escape';
}

function lines(r: RunResult): string[] {
  return r.stdout.split('\n').filter((l) => l !== '');
}

/** The assertions on a sandboxed run. */
function assertNoEscape(r: RunResult, label: string): void {
  const detail = `${label}: ${describeRun(r, 40)}\n--- stdout ---\n${r.stdout}`;
  assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), `${label}: the secret was printed\n${detail}`);
  const fails = lines(r).filter((l) => l.startsWith('FAIL'));
  assert.deepEqual(fails, [], `${label}: failed attempts\n${detail}`);
  const oks = lines(r).filter((l) => l.startsWith('ok ')).map((l) => l.slice(3));
  assert.deepEqual(oks, CASES, `${label}: not every attempt reported ok\n${detail}`);
  assert.equal(r.code, 0, detail);
}

describe('escape', () => {
  let root = '';
  let root2 = '';
  let marker = '';
  let parentBefore: string[] = [];
  let markerStat: fs.Stats | undefined;

  before(async () => {
    work = fs.mkdtempSync(path.join(tmpdir(), 'tsvisor-escape-'));
    fs.chmodSync(work, 0o755);
    binary = await buildC(SRC, path.join(work, 'escape-bin'), { deps: [CHECK_H] });
    root = path.join(work, 'root');
    root2 = path.join(work, 'root2');
    marker = path.join(work, markerName);
    fs.writeFileSync(marker, `${secret}\n`, { mode: 0o644 });
    makeTree(root, work);
    makeTree(root2, work);
    parentBefore = fs.readdirSync(work).sort();
    markerStat = fs.lstatSync(marker);
  });

  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const markerUnchanged = (): void => {
    assert.equal(fs.readFileSync(marker, 'utf8'), `${secret}\n`, 'the marker changed');
    const st = fs.lstatSync(marker);
    markerStat ??= st;
    for (const k of ['mode', 'uid', 'gid', 'size', 'nlink', 'ino', 'mtimeMs', 'ctimeMs'] as const) {
      assert.equal(st[k], markerStat[k], `the marker's ${k} changed`);
    }
    assert.deepEqual(fs.readdirSync(work).sort(), parentBefore, 'something appeared or vanished next to ROOT');
  };

  test('natively (no sandbox) the program does find the marker', { timeout: TIMEOUT_MS }, async () => {
    // The same tree, run without a sandbox from inside it: the marker is
    // reachable (by .. and by its host path), and the program must say so.
    const r = await run(path.join(root, 'escape'), [markerName, encodedSecret, work], {
      timeoutMs: TIMEOUT_MS,
      cwd: root,
    });
    const fails = lines(r).filter((l) => l.startsWith('FAIL'));
    assert.ok(fails.some((l) => l.includes('escape:')), `native: no escape found\n${describeRun(r)}\n${r.stdout}`);
    assert.notEqual(r.code, 0, `native: exit status 0\n${describeRun(r)}`);
    markerUnchanged();
  });

  test('under tsvisor, a sandbox given the marker (a volume) finds it', { timeout: TIMEOUT_MS }, async () => {
    // The control for the runs below: the same program, the same tree, but
    // the marker's directory bound in read-only at /outside. The program's
    // walk of the sandbox must find the secret there, or its probes prove nothing.
    const r = await runTsvisor([guestProgram(root), markerName, encodedSecret, work], {
      timeoutMs: TIMEOUT_MS,
      flags: ['--root', root, '--volume', `${work}:/outside:ro`, '--cwd', '/'],
    });
    const fails = lines(r).filter((l) => l.startsWith('FAIL'));
    assert.ok(
      fails.some((l) => l.startsWith('FAIL walk_everything: escape:')),
      `volume: the walk did not find the marker\n${describeRun(r)}\n${r.stdout}`,
    );
    assert.ok(!r.timedOut && r.signal === null && r.code === 1, `volume: ${describeRun(r)}`);
    markerUnchanged();
  });

  test('with the overlay: nothing outside is read, the host tree is unchanged', { timeout: TIMEOUT_MS }, async () => {
    const before = snapshot(root);
    const r = await runTsvisor([guestProgram(root), markerName, encodedSecret, work], {
      timeoutMs: TIMEOUT_MS,
      flags: ['--root', root, '--cwd', '/'],
    });
    assertNoEscape(r, 'overlay');
    assert.deepEqual(diff(before, snapshot(root)), [], 'the host ROOT tree changed under the overlay');
    markerUnchanged();
  });

  test('with --no-overlay: nothing outside is read or written', { timeout: TIMEOUT_MS }, async () => {
    const before = snapshot(root2);
    const r = await runTsvisor([guestProgram(root2), markerName, encodedSecret, work], {
      timeoutMs: TIMEOUT_MS,
      flags: ['--root', root2, '--no-overlay', '--cwd', '/'],
    });
    assertNoEscape(r, 'no-overlay');
    // Writes went into ROOT2 itself (the guest's /escape-created, /r2..., /w/...), never next to it.
    assert.ok(fs.existsSync(path.join(root2, 'w', 'jail')), 'the guest wrote nothing to ROOT2 (is --no-overlay on?)');
    // The control for the overlay run's comparison: here the tree did change, and the snapshots see it.
    const changes = diff(before, snapshot(root2));
    assert.ok(changes.some((c) => c.startsWith('added: w/')), `no-overlay: changes not seen:\n${changes.join('\n')}`);
    // Files the guest created above its root landed inside ROOT2.
    assert.ok(fs.existsSync(path.join(root2, 'escape-created')), 'no-overlay: /escape-created is not in ROOT2');
    markerUnchanged();
  });
});

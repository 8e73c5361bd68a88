// Workload: `tsvisor do --volume HOST:GUEST[:ro]` where HOST is a single
// regular file (docker -v file:file): the mount point is a file; the guest
// reads it, writes through to the host file (append, truncate, a shared
// mapping) unless :ro, where writes are EROFS; the mount point cannot be
// removed or renamed over (EBUSY), and an existing file in the root can be
// covered. A file over a directory is refused (ENOTDIR).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { describeRun, runTsvisor } from '../helpers/run.js';

const TIMEOUT_MS = 60_000;
let dir = '';

before(() => {
  dir = fs.mkdtempSync(path.join(tmpdir(), 'tsvisor-volfile-'));
});
after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh host file with `content`. */
function hostFile(name: string, content: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

test('a file volume: read, appended, truncated and rewritten through to the host; the mount point is busy', { timeout: TIMEOUT_MS }, async () => {
  const f = hostFile('rw.txt', 'hello from the host\n');
  const script = [
    'cat /data/f.txt',
    'test -f /data/f.txt && echo is-a-file',
    'ls /data',
    'echo appended >> /data/f.txt',
    'wc -c < /data/f.txt',
    'rm /data/f.txt 2>&1 || echo rm-failed',
    'touch /data/other; mv /data/other /data/f.txt 2>&1 || echo mv-failed',
  ].join('; ');
  const r = await runTsvisor(['/bin/sh', '-c', script], { timeoutMs: TIMEOUT_MS, flags: ['--volume', `${f}:/data/f.txt`] });
  assert.equal(r.code, 0, describeRun(r));
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines[0], 'hello from the host');
  assert.equal(lines[1], 'is-a-file');
  assert.equal(lines[2], 'f.txt'); // the mount point made in the root (an empty file under the bind)
  assert.equal(lines[3], String('hello from the host\nappended\n'.length));
  assert.match(lines[4], /Device or resource busy/);
  assert.equal(lines[5], 'rm-failed');
  assert.match(lines[6], /Device or resource busy/);
  assert.equal(lines[7], 'mv-failed');
  assert.equal(fs.readFileSync(f, 'utf8'), 'hello from the host\nappended\n');

  // O_TRUNC then a write: the host file is replaced in place (same inode).
  const ino = fs.statSync(f).ino;
  const r2 = await runTsvisor(['/bin/sh', '-c', 'echo rewritten > /data/f.txt && cat /data/f.txt'], {
    timeoutMs: TIMEOUT_MS,
    flags: ['--volume', `${f}:/data/f.txt`],
  });
  assert.equal(r2.code, 0, describeRun(r2));
  assert.equal(r2.stdout, 'rewritten\n');
  assert.equal(fs.readFileSync(f, 'utf8'), 'rewritten\n');
  assert.equal(fs.statSync(f).ino, ino);
});

test('a file volume: a shared mapping writes through to the host file', { timeout: TIMEOUT_MS }, async () => {
  const f = hostFile('mapped.bin', 'abcdefgh');
  const py = [
    'import mmap, os',
    'fd = os.open("/m", os.O_RDWR)',
    'm = mmap.mmap(fd, 0)',
    'm[2:4] = b"XY"',
    'm.flush()',
    'print(os.pread(fd, 8, 0).decode())',
  ].join('\n');
  const r = await runTsvisor(['/usr/bin/python3', '-c', py], { timeoutMs: TIMEOUT_MS, flags: ['--volume', `${f}:/m`] });
  assert.equal(r.code, 0, describeRun(r));
  assert.equal(r.stdout, 'abXYefgh\n');
  assert.equal(fs.readFileSync(f, 'utf8'), 'abXYefgh');
});

test('a read-only file volume: reads work, writes are EROFS, the host file is unchanged', { timeout: TIMEOUT_MS }, async () => {
  const f = hostFile('ro.txt', 'read me\n');
  const py = [
    'import os, errno',
    'print(open("/data/ro.txt").read(), end="")',
    'for flags in (os.O_WRONLY, os.O_RDWR, os.O_WRONLY | os.O_TRUNC, os.O_WRONLY | os.O_APPEND):',
    '    try:',
    '        os.open("/data/ro.txt", flags)',
    '        print("opened")',
    '    except OSError as e:',
    '        print(errno.errorcode[e.errno])',
    'for call in (lambda: os.truncate("/data/ro.txt", 0), lambda: os.chmod("/data/ro.txt", 0o600), lambda: os.utime("/data/ro.txt")):',
    '    try:',
    '        call()',
    '        print("done")',
    '    except OSError as e:',
    '        print(errno.errorcode[e.errno])',
    'print(os.access("/data/ro.txt", os.W_OK), os.access("/data/ro.txt", os.R_OK))',
  ].join('\n');
  const r = await runTsvisor(['/usr/bin/python3', '-c', py], { timeoutMs: TIMEOUT_MS, flags: ['--volume', `${f}:/data/ro.txt:ro`] });
  assert.equal(r.code, 0, describeRun(r));
  assert.equal(r.stdout, 'read me\nEROFS\nEROFS\nEROFS\nEROFS\nEROFS\nEROFS\nEROFS\nFalse True\n');
  assert.equal(fs.readFileSync(f, 'utf8'), 'read me\n');
});

test('a file volume covers an existing file of the root; over a directory it is refused', { timeout: TIMEOUT_MS }, async () => {
  const f = hostFile('hostname', 'covered-name\n');
  const r = await runTsvisor(['/bin/cat', '/etc/hostname'], { timeoutMs: TIMEOUT_MS, flags: ['--volume', `${f}:/etc/hostname:ro`] });
  assert.equal(r.code, 0, describeRun(r));
  assert.equal(r.stdout, 'covered-name\n');
  const bad = await runTsvisor(['/bin/true'], { timeoutMs: TIMEOUT_MS, flags: ['--volume', `${f}:/etc`] });
  assert.equal(bad.code, 125, describeRun(bad));
  assert.match(bad.stderr, /ENOTDIR/);
});

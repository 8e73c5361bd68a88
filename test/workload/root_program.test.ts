// `tsvisor do --root DIR -- PROGRAM`: the program is found and read inside
// the sandbox's root, as runsc does for a container, never on the host: a
// symlink in the root that points at a host program outside it leads nowhere.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { busybox } from '../helpers/paths.js';
import { describeRun, runTsvisor } from '../helpers/run.js';

const TIMEOUT_MS = 60_000;

describe('the program comes from the sandbox root', () => {
  let root = '';
  let outside = '';

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsvisor-root-'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'tsvisor-outside-'));
    fs.mkdirSync(path.join(root, 'bin'));
    fs.copyFileSync(busybox, path.join(root, 'bin', 'busybox'));
    fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
    // A program that exists only outside the root (named busybox, so that it
    // would print if it ran), reached by absolute and relative symlinks.
    fs.copyFileSync(busybox, path.join(outside, 'busybox'));
    fs.chmodSync(path.join(outside, 'busybox'), 0o755);
    fs.symlinkSync(path.join(outside, 'busybox'), path.join(root, 'abs-link'));
    fs.symlinkSync(path.relative(root, path.join(outside, 'busybox')), path.join(root, 'rel-link'));
    fs.writeFileSync(path.join(root, 'notexec'), 'data');
  });

  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  test('a path inside the root runs, and /proc/self/exe names it inside the root', { timeout: TIMEOUT_MS }, async () => {
    const r = await runTsvisor(['/bin/busybox', 'readlink', '/proc/self/exe'], { flags: ['--root', root], timeoutMs: TIMEOUT_MS });
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(r.stdout, '/bin/busybox\n');
  });

  test('PATH is searched inside the root', { timeout: TIMEOUT_MS }, async () => {
    const r = await runTsvisor(['busybox', 'echo', 'found'], { flags: ['--root', root, '--env', 'PATH=/nowhere:/bin'], timeoutMs: TIMEOUT_MS });
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(r.stdout, 'found\n');
  });

  for (const link of ['/abs-link', '/rel-link']) {
    test(`${link} (pointing outside the root) is not found`, { timeout: TIMEOUT_MS }, async () => {
      const r = await runTsvisor([link, 'echo', 'escaped'], { flags: ['--root', root], timeoutMs: TIMEOUT_MS });
      assert.equal(r.code, 127, describeRun(r));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /no such file or directory/);
    });
  }

  test('the host path of a program outside the root is not found either', { timeout: TIMEOUT_MS }, async () => {
    const r = await runTsvisor([path.join(outside, 'busybox'), 'echo', 'escaped'], { flags: ['--root', root], timeoutMs: TIMEOUT_MS });
    assert.equal(r.code, 127, describeRun(r));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /no such file or directory/);
  });

  test('a file without execute permission gives 126', { timeout: TIMEOUT_MS }, async () => {
    const r = await runTsvisor(['/notexec'], { flags: ['--root', root], timeoutMs: TIMEOUT_MS });
    assert.equal(r.code, 126, describeRun(r));
    assert.match(r.stderr, /permission denied/);
  });
});

// CPU limits through cgroups (src/oci/cgroups.ts): cgroupsPath forms, and
// what applyCpu writes for cgroup v1 and v2 (checked on plain directories
// standing in for cgroupfs; the real thing is exercised by test/e2e).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { applyCpu, cgroupRelPath, readCgroups, CGROUPS_FILE } from '../../src/oci/cgroups.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsvisor-cgroups-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function fakeDir(name: string, files: Record<string, string>): string {
  const d = path.join(tmp, name);
  fs.mkdirSync(d);
  for (const [f, v] of Object.entries(files)) fs.writeFileSync(path.join(d, f), v);
  return d;
}

const read = (d: string, f: string): string => fs.readFileSync(path.join(d, f), 'utf8');

describe('cgroups', () => {
  test('cgroupsPath: cgroupfs paths, systemd slices, the default, and refusals', () => {
    assert.equal(cgroupRelPath('/docker/abc', 'abc'), 'docker/abc');
    assert.equal(cgroupRelPath('kubepods/pod1/c1', 'c1'), 'kubepods/pod1/c1');
    assert.equal(cgroupRelPath('system.slice:docker:abc', 'abc'), 'system.slice/docker-abc.scope');
    assert.equal(cgroupRelPath(':cri:x', 'x'), 'system.slice/cri-x.scope');
    assert.equal(cgroupRelPath(undefined, 'id1'), 'tsvisor/id1');
    assert.equal(cgroupRelPath('/a//b/./c', 'c'), 'a/b/c');
    assert.throws(() => cgroupRelPath('/', 'x'), /not a cgroup below the root/);
    // As runc's filepath.Clean of an absolute path: ".." never climbs above the hierarchy's root.
    assert.equal(cgroupRelPath('/a/../../etc', 'x'), 'etc');
    assert.throws(() => cgroupRelPath('/a/..', 'x'), /not a cgroup below the root/);
  });

  test('v1: quota, period and shares go to cpu.*; a cpuacct-only directory is left alone; cpusets warn', () => {
    const cpu = fakeDir('v1cpu', { 'cpu.cfs_quota_us': '-1', 'cpu.cfs_period_us': '100000', 'cpu.shares': '1024' });
    const acct = fakeDir('v1acct', { 'cpuacct.usage': '0' });
    const warnings = applyCpu({ version: 1, dirs: [cpu, acct] }, { quota: 50000, period: 200000, shares: 512, cpus: '0-1' });
    assert.equal(read(cpu, 'cpu.cfs_quota_us'), '50000');
    assert.equal(read(cpu, 'cpu.cfs_period_us'), '200000');
    assert.equal(read(cpu, 'cpu.shares'), '512');
    assert.deepEqual(fs.readdirSync(acct), ['cpuacct.usage']);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /cpusets are not applied/);
    // quota -1: no quota any more.
    assert.deepEqual(applyCpu({ version: 1, dirs: [cpu] }, { quota: -1 }), []);
    assert.equal(read(cpu, 'cpu.cfs_quota_us'), '-1');
  });

  test('v2: cpu.max keeps the part not given; shares become cpu.weight (runc\'s conversion)', () => {
    const d = fakeDir('v2', { 'cpu.max': 'max 100000\n', 'cpu.weight': '100' });
    applyCpu({ version: 2, dirs: [d] }, { quota: 25000 });
    assert.equal(read(d, 'cpu.max'), '25000 100000');
    applyCpu({ version: 2, dirs: [d] }, { period: 50000 });
    assert.equal(read(d, 'cpu.max'), '25000 50000');
    applyCpu({ version: 2, dirs: [d] }, { quota: -1 });
    assert.equal(read(d, 'cpu.max'), 'max 50000');
    applyCpu({ version: 2, dirs: [d] }, { shares: 1024 });
    assert.equal(read(d, 'cpu.weight'), '39');
    applyCpu({ version: 2, dirs: [d] }, { shares: 2 });
    assert.equal(read(d, 'cpu.weight'), '1');
    applyCpu({ version: 2, dirs: [d] }, { shares: 262144 });
    assert.equal(read(d, 'cpu.weight'), '10000');
  });

  test('the record in the state directory', () => {
    const st = fakeDir('state', {});
    assert.equal(readCgroups(st), null);
    fs.writeFileSync(path.join(st, CGROUPS_FILE), JSON.stringify({ version: 1, dirs: ['/sys/fs/cgroup/cpu/docker/x'] }));
    assert.deepEqual(readCgroups(st), { version: 1, dirs: ['/sys/fs/cgroup/cpu/docker/x'] });
    fs.writeFileSync(path.join(st, CGROUPS_FILE), JSON.stringify({ version: 3, dirs: [] }));
    assert.equal(readCgroups(st), null);
    fs.writeFileSync(path.join(st, CGROUPS_FILE), '{');
    assert.equal(readCgroups(st), null);
  });
});

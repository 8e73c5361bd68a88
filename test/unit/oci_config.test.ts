// config.json validation and its translation to the sandbox's configuration
// (src/oci/config.ts): valid bundles (runc's default spec, a Docker-like
// config) and invalid ones, each error naming the field at fault.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Capability } from '../../src/abi/linux/capability.js';
import { Rlimit } from '../../src/abi/linux/rlimit.js';
import { ConfigError, loadBundle, parseConfig, parseProcess, parseSize } from '../../src/oci/config.js';
import { defaultSpec, features, type OciSpec } from '../../src/oci/spec.js';

let bundle = '';

before(() => {
  bundle = fs.mkdtempSync(path.join(os.tmpdir(), 'tsvisor-oci-config-'));
  fs.mkdirSync(path.join(bundle, 'rootfs'));
  fs.writeFileSync(path.join(bundle, 'hosts'), '127.0.0.1 localhost\n');
  fs.mkdirSync(path.join(bundle, 'data'));
});

after(() => fs.rmSync(bundle, { recursive: true, force: true }));

function spec(edit: (s: OciSpec & Record<string, unknown>) => void = () => undefined): OciSpec {
  const s = defaultSpec() as OciSpec & Record<string, unknown>;
  s.process!.terminal = false;
  edit(s);
  return s;
}

/** parseConfig must throw a ConfigError whose message starts with the field. */
function rejects(s: unknown, field: string, why?: RegExp): void {
  assert.throws(
    () => parseConfig(s, bundle),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, `not a ConfigError: ${String(e)}`);
      assert.ok(e.message.startsWith(`${field}:`), `message ${JSON.stringify(e.message)} does not start with ${field}:`);
      if (why) assert.match(e.message, why);
      return true;
    },
  );
}

describe('valid configs', () => {
  test("runc's default spec (tsvisor spec) is accepted and mapped", () => {
    const c = parseConfig(spec(), bundle);
    assert.equal(c.ociVersion, '1.1.0');
    assert.equal(c.bundle, bundle);
    assert.equal(c.rootfs, path.join(bundle, 'rootfs'));
    assert.equal(c.hostname, 'tsvisor');
    assert.equal(c.terminal, false);
    assert.deepEqual(c.process.argv, ['sh']);
    assert.equal(c.process.cwd, '/');
    assert.equal(c.process.uid, 0);
    assert.equal(c.process.gid, 0);
    assert.equal(c.process.noNewPrivileges, true);
    const caps = [Capability.CAP_AUDIT_WRITE, Capability.CAP_KILL, Capability.CAP_NET_BIND_SERVICE];
    assert.deepEqual(c.process.capabilities?.bounding, caps);
    assert.deepEqual(c.process.capabilities?.inheritable, undefined);
    assert.deepEqual(c.process.rlimits, [{ resource: Rlimit.RLIMIT_NOFILE, soft: 1024, hard: 1024 }]);
    // root: the host directory, through the in-memory overlay, read-only as root.readonly says.
    assert.deepEqual(c.mounts.root, { kind: 'host', path: path.join(bundle, 'rootfs'), overlay: true, readOnly: true });
    const byTarget = new Map(c.mounts.mounts.map((m) => [m.target, m]));
    assert.equal(byTarget.get('/proc')?.kind, 'proc');
    assert.equal(byTarget.get('/dev')?.kind, 'dev');
    assert.equal(byTarget.has('/dev/pts'), false); // a directory of /dev until devpts exists
    assert.deepEqual(byTarget.get('/dev/shm'), { kind: 'tmpfs', target: '/dev/shm', nosuid: true, nodev: true, noexec: true, mode: 0o1777, sizeBytes: 65536 * 1024, readOnly: false });
    assert.equal(byTarget.get('/dev/mqueue')?.kind, 'tmpfs');
    assert.deepEqual(byTarget.get('/sys'), { kind: 'sys', target: '/sys', nosuid: true, nodev: true, noexec: true, readOnly: true });
    const cg = byTarget.get('/sys/fs/cgroup');
    assert.equal(cg?.kind, 'tmpfs');
    assert.equal(cg?.readOnly, true);
    assert.ok(c.mounts.maskedPaths?.includes('/proc/kcore'));
    assert.ok(c.mounts.readonlyPaths?.includes('/proc/sys'));
    assert.equal(c.memoryLimit, undefined);
    assert.equal(c.pidsLimit, undefined);
  });

  test('a Docker-like config: binds, tmpfs options, resources, hooks, annotations, user', () => {
    const c = parseConfig(
      spec((s) => {
        s.ociVersion = '1.0.2-dev';
        s.root = { path: 'rootfs', readonly: false };
        s.process!.user = { uid: 1000, gid: 1000, umask: 0o027, additionalGids: [10, 20] };
        s.process!.env = ['PATH=/bin', 'HOME=/home/u'];
        s.process!.args = ['/bin/sh', '-c', 'true'];
        s.process!.cwd = '/work';
        s.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 2 ** 64 - 1 }];
        s.process!.capabilities = { bounding: ['CAP_CHOWN', 'CAP_FOO'], effective: ['cap_kill'], permitted: ['CAP_KILL'], inheritable: [], ambient: [] };
        s.process!.oomScoreAdj = 0;
        s.mounts!.push(
          { destination: '/etc/hosts', type: 'bind', source: 'hosts', options: ['rbind', 'rprivate', 'ro'] },
          { destination: '/data', source: path.join(bundle, 'data'), options: ['bind', 'nosuid', 'nodev', 'noexec'] },
          { destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['size=1m', 'mode=0700'] },
        );
        s.linux!.resources = { memory: { limit: 256 * 2 ** 20, swap: 512 * 2 ** 20 }, pids: { limit: 100 }, cpu: { quota: 50000, period: 100000 } };
        s.linux!.sysctl = { 'net.ipv4.ip_forward': '1', 'net.ipv4.ip_unprivileged_port_start': '0' };
        s.linux!.namespaces = [{ type: 'pid' }, { type: 'network', path: '' }, { type: 'mount' }];
        s.hooks = { prestart: [{ path: '/bin/true' }], poststop: [{ path: '/bin/sh', args: ['sh', '-c', 'true'], env: ['A=1'], timeout: 5 }] };
        s.annotations = { 'org.example/x': 'y' };
      }),
      bundle,
    );
    assert.equal(c.ociVersion, '1.0.2-dev');
    assert.deepEqual(c.process.additionalGids, [10, 20]);
    assert.equal(c.process.umask, 0o027);
    assert.equal(c.process.uid, 1000);
    assert.deepEqual(c.process.rlimits, [{ resource: Rlimit.RLIMIT_NOFILE, soft: 1024, hard: null }]);
    // An unknown capability is left out with a warning (as runc); names are case-insensitive.
    assert.deepEqual(c.process.capabilities?.bounding, [Capability.CAP_CHOWN]);
    assert.deepEqual(c.process.capabilities?.effective, [Capability.CAP_KILL]);
    assert.ok(c.warnings.some((w) => w.includes('CAP_FOO')));
    assert.ok(c.warnings.some((w) => w.includes('linux.sysctl.net.ipv4.ip_forward')));
    // The one Docker always sends is honoured (the sandbox's bind check and /proc/sys).
    assert.deepEqual(c.sysctl, { 'net.ipv4.ip_unprivileged_port_start': 0 });
    assert.ok(!c.warnings.some((w) => w.includes('ip_unprivileged_port_start')));
    // CPU limits are applied through a cgroup (src/oci/cgroups.ts), with the config's cgroupsPath.
    assert.deepEqual(c.cpu, { quota: 50000, period: 100000 });
    assert.ok(!c.warnings.some((w) => w.includes('cpu')));
    const byTarget = new Map(c.mounts.mounts.map((m) => [m.target, m]));
    assert.deepEqual(byTarget.get('/etc/hosts'), { kind: 'bind', source: path.join(bundle, 'hosts'), target: '/etc/hosts', readOnly: true });
    assert.deepEqual(byTarget.get('/data'), { kind: 'bind', source: path.join(bundle, 'data'), target: '/data', nosuid: true, nodev: true, noexec: true, readOnly: false });
    assert.deepEqual(byTarget.get('/scratch'), { kind: 'tmpfs', target: '/scratch', readOnly: false, sizeBytes: 2 ** 20, mode: 0o700 });
    assert.equal(c.memoryLimit, 256 * 2 ** 20);
    assert.equal(c.pidsLimit, 100);
    assert.deepEqual(c.hooks.prestart, [{ path: '/bin/true' }]);
    assert.deepEqual(c.hooks.poststop, [{ path: '/bin/sh', args: ['sh', '-c', 'true'], env: ['A=1'], timeout: 5 }]);
    assert.deepEqual(c.annotations, { 'org.example/x': 'y' });
    assert.equal(c.mounts.root.kind === 'host' && c.mounts.root.readOnly, false);
  });

  test('a config without a /dev mount gets the sandbox /dev; --overlay=false writes through', () => {
    const c = parseConfig(spec((s) => (s.mounts = [])), bundle, { overlay: false });
    assert.deepEqual(c.mounts.mounts, [{ kind: 'dev', target: '/dev' }]);
    assert.equal(c.mounts.root.kind === 'host' && c.mounts.root.overlay, false);
  });

  test('loadBundle reads BUNDLE/config.json and reports a missing or broken one', () => {
    fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec()));
    assert.equal(loadBundle(bundle).rootfs, path.join(bundle, 'rootfs'));
    fs.writeFileSync(path.join(bundle, 'config.json'), '{"ociVersion": ');
    assert.throws(() => loadBundle(bundle), /config\.json: not valid JSON/);
    fs.rmSync(path.join(bundle, 'config.json'));
    assert.throws(() => loadBundle(bundle), /no such file/);
  });

  test('an exec process file is parsed as a process object', () => {
    const w: string[] = [];
    const p = parseProcess({ user: { uid: 0, gid: 0 }, args: ['ls'], cwd: '/', terminal: false, env: ['A=b'] }, 'process', w);
    assert.deepEqual(p.process.argv, ['ls']);
    assert.equal(p.terminal, false);
  });

  test('sizes', () => {
    assert.equal(parseSize('65536k', 'f'), 65536 * 1024);
    assert.equal(parseSize('64M', 'f'), 64 * 2 ** 20);
    assert.equal(parseSize('4096', 'f'), 4096);
    assert.equal(parseSize('50%', 'f'), undefined);
    assert.throws(() => parseSize('lots', 'f'), /f: "lots" is not a size/);
  });

  test('features lists the hooks, namespaces and capabilities', () => {
    const f = features('1.2.3') as { hooks: string[]; linux: { namespaces: string[]; capabilities: string[] }; ociVersionMax: string };
    assert.ok(f.hooks.includes('createContainer'));
    assert.ok(f.linux.namespaces.includes('pid'));
    assert.ok(f.linux.capabilities.includes('CAP_SYS_ADMIN'));
    assert.match(f.ociVersionMax, /^1\./);
  });
});

describe('invalid configs name the field', () => {
  test('not an object', () => rejects([], 'config.json', /must be an object/));
  test('ociVersion missing or 2.x', () => {
    rejects(spec((s) => delete (s as Partial<OciSpec>).ociVersion), 'ociVersion', /required/);
    rejects(spec((s) => (s.ociVersion = '2.0.0')), 'ociVersion', /not supported/);
    rejects(spec((s) => ((s as Record<string, unknown>).ociVersion = 1)), 'ociVersion', /must be a string/);
  });
  test('root', () => {
    rejects(spec((s) => delete s.root), 'root', /required/);
    rejects(spec((s) => (s.root = { path: 'nowhere' })), 'root.path', /no such directory/);
    rejects(spec((s) => (s.root = { path: 'hosts' })), 'root.path', /not a directory/);
    rejects(spec((s) => ((s.root as Record<string, unknown>).readonly = 'yes')), 'root.readonly', /true or false/);
  });
  test('process', () => {
    rejects(spec((s) => delete s.process), 'process', /required/);
    rejects(spec((s) => (s.process!.args = [])), 'process.args', /program/);
    rejects(spec((s) => delete s.process!.args), 'process.args', /required/);
    rejects(spec((s) => ((s.process!.args as unknown[]) = ['sh', 3])), 'process.args[1]', /must be a string/);
    rejects(spec((s) => (s.process!.cwd = 'relative')), 'process.cwd', /absolute/);
    rejects(spec((s) => ((s.process as unknown as Record<string, unknown>).user = undefined)), 'process.user', /required/);
    rejects(spec((s) => ((s.process!.user as unknown as Record<string, unknown>).uid = -1)), 'process.user.uid', /out of range/);
    rejects(spec((s) => ((s.process!.user as unknown as Record<string, unknown>).gid = '0')), 'process.user.gid', /integer/);
    rejects(spec((s) => (s.process!.user.additionalGids = [1, 2 ** 32])), 'process.user.additionalGids[1]', /out of range/);
    rejects(spec((s) => (s.process!.user.umask = 0o1000)), 'process.user.umask', /out of range/);
    rejects(spec((s) => (s.process!.env = ['NOEQUALS'])), 'process.env[0]', /KEY=VALUE/);
    rejects(spec((s) => ((s.process as unknown as Record<string, unknown>).terminal = 1)), 'process.terminal', /true or false/);
    rejects(spec((s) => ((s.process as unknown as Record<string, unknown>).noNewPrivileges = 'true')), 'process.noNewPrivileges');
    rejects(spec((s) => ((s.process!.capabilities as Record<string, unknown>).bounding = 'CAP_KILL')), 'process.capabilities.bounding', /array/);
    rejects(spec((s) => (s.process!.rlimits = [{ type: 'RLIMIT_BOGUS', soft: 1, hard: 1 }])), 'process.rlimits[0].type', /unknown resource/);
    rejects(spec((s) => (s.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }, { type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }])), 'process.rlimits[1].type', /twice/);
    rejects(spec((s) => (s.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 10, hard: 1 }])), 'process.rlimits[0]', /above its hard limit/);
    rejects(spec((s) => (s.process!.oomScoreAdj = 5000)), 'process.oomScoreAdj', /out of range/);
    rejects(spec((s) => ((s.process as unknown as Record<string, unknown>).consoleSize = { height: 'x', width: 1 })), 'process.consoleSize.height');
  });
  test('mounts', () => {
    rejects(spec((s) => ((s as Record<string, unknown>).mounts = {})), 'mounts', /array/);
    rejects(spec((s) => s.mounts!.push({ destination: 'rel', type: 'tmpfs' })), 'mounts[7].destination', /absolute/);
    rejects(spec((s) => s.mounts!.push({ destination: '/x', type: 'nfs', source: 'server:/x' })), 'mounts[7].type', /"nfs" is not supported/);
    rejects(spec((s) => s.mounts!.push({ destination: '/x' })), 'mounts[7].type', /required/);
    rejects(spec((s) => s.mounts!.push({ destination: '/x', type: 'bind' })), 'mounts[7].source', /needs a source/);
    rejects(spec((s) => s.mounts!.push({ destination: '/x', type: 'bind', source: '/no/such/dir' })), 'mounts[7].source', /no such file/);
    rejects(spec((s) => s.mounts!.push({ destination: '/x', type: 'tmpfs', options: ['size=big'] })), 'mounts[7].options', /not a size/);
    rejects(spec((s) => s.mounts!.push({ destination: '/x', type: 'tmpfs', options: ['mode=999'] })), 'mounts[7].options', /octal/);
  });
  test('linux', () => {
    rejects(spec((s) => (s.linux!.namespaces = [{ type: 'pid' }, { type: 'network', path: '/proc/1/ns/net' }])), 'linux.namespaces[1].path', /not supported/);
    rejects(spec((s) => (s.linux!.namespaces = [{ type: 'bogus' }])), 'linux.namespaces[0].type', /unknown namespace/);
    rejects(spec((s) => (s.linux!.namespaces = [{ type: 'pid' }, { type: 'pid' }])), 'linux.namespaces[1].type', /twice/);
    rejects(spec((s) => (s.linux!.maskedPaths = ['proc/kcore'])), 'linux.maskedPaths[0]', /absolute/);
    rejects(spec((s) => ((s.linux as Record<string, unknown>).readonlyPaths = '/proc')), 'linux.readonlyPaths', /array/);
    rejects(spec((s) => (s.linux!.resources = { memory: { limit: 1024 } })), 'linux.resources.memory.limit', /too little/);
    rejects(spec((s) => (s.linux!.resources = { pids: { limit: 1.5 } })), 'linux.resources.pids.limit', /integer/);
    rejects(spec((s) => ((s.linux as Record<string, unknown>).sysctl = { a: 1 })), 'linux.sysctl.a', /string/);
    rejects(spec((s) => (s.linux!.sysctl = { 'net.ipv4.ip_unprivileged_port_start': '65536' })), 'linux.sysctl.net.ipv4.ip_unprivileged_port_start', /0 to 65535/);
    rejects(spec((s) => (s.linux!.sysctl = { 'net.ipv4.ip_unprivileged_port_start': '-1' })), 'linux.sysctl.net.ipv4.ip_unprivileged_port_start', /0 to 65535/);
    rejects(spec((s) => (s.linux!.resources = { cpu: { quota: 'x' } as never })), 'linux.resources.cpu.quota', /integer/);
    rejects(spec((s) => (s.linux!.resources = { cpu: { shares: -1 } as never })), 'linux.resources.cpu.shares', /out of range/);
    rejects(spec((s) => ((s.linux as Record<string, unknown>).cgroupsPath = 5)), 'linux.cgroupsPath', /string/);
  });
  test('hooks and annotations', () => {
    rejects(spec((s) => (s.hooks = { prestart: [{ path: 'relative' }] })), 'hooks.prestart[0].path', /absolute/);
    rejects(spec((s) => (s.hooks = { poststop: [{ path: '/bin/true', timeout: 0 }] })), 'hooks.poststop[0].timeout', /out of range/);
    rejects(spec((s) => ((s as Record<string, unknown>).hooks = { poststart: {} })), 'hooks.poststart', /array/);
    rejects(spec((s) => ((s as Record<string, unknown>).annotations = { a: 1 })), 'annotations.a', /string/);
  });
});

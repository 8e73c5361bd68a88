// The credential, capability, resource and scheduler ABI numbers
// (src/abi/linux/{capability,resource,sched_attr,prctl_kernel}.ts) against
// this machine's C headers: one C program prints each value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as cap from '../../src/abi/linux/capability.js';
import { CAPABILITY_NAMES, CAP_LAST_CAP, Capability, CapUserData, CapVersion, Securebit } from '../../src/abi/linux/capability.js';
import { PRCTL_MM_MAP_SIZE, PrctlNew } from '../../src/abi/linux/prctl_kernel.js';
import { Prio, RusageOffset, RusageWho, TMS_SIZE } from '../../src/abi/linux/resource.js';
import { SCHED_ATTR_SIZE_VER0, SCHED_ATTR_SIZE_VER1, SchedAttrOffset } from '../../src/abi/linux/sched_attr.js';
import { haveGcc, runC } from '../helpers/cprobe.js';

/** name → [TS value, C expression]. */
const checks: [string, number, string][] = [
  ['CAP_LAST_CAP', CAP_LAST_CAP, 'CAP_LAST_CAP'],
  ['_LINUX_CAPABILITY_VERSION_1', CapVersion._LINUX_CAPABILITY_VERSION_1, '_LINUX_CAPABILITY_VERSION_1'],
  ['_LINUX_CAPABILITY_VERSION_2', CapVersion._LINUX_CAPABILITY_VERSION_2, '_LINUX_CAPABILITY_VERSION_2'],
  ['_LINUX_CAPABILITY_VERSION_3', CapVersion._LINUX_CAPABILITY_VERSION_3, '_LINUX_CAPABILITY_VERSION_3'],
  ['_LINUX_CAPABILITY_U32S_1', cap._LINUX_CAPABILITY_U32S_1, '_LINUX_CAPABILITY_U32S_1'],
  ['_LINUX_CAPABILITY_U32S_3', cap._LINUX_CAPABILITY_U32S_3, '_LINUX_CAPABILITY_U32S_3'],
  ['CAP_USER_HEADER_SIZE', cap.CAP_USER_HEADER_SIZE, 'sizeof(struct __user_cap_header_struct)'],
  ['CAP_USER_DATA_SIZE', cap.CAP_USER_DATA_SIZE, 'sizeof(struct __user_cap_data_struct)'],
  ['CapUserData.EFFECTIVE', CapUserData.EFFECTIVE, 'offsetof(struct __user_cap_data_struct, effective)'],
  ['CapUserData.PERMITTED', CapUserData.PERMITTED, 'offsetof(struct __user_cap_data_struct, permitted)'],
  ['CapUserData.INHERITABLE', CapUserData.INHERITABLE, 'offsetof(struct __user_cap_data_struct, inheritable)'],
  ['SECBIT_NOROOT', Securebit.SECBIT_NOROOT, 'SECBIT_NOROOT'],
  ['SECBIT_NOROOT_LOCKED', Securebit.SECBIT_NOROOT_LOCKED, 'SECBIT_NOROOT_LOCKED'],
  ['SECBIT_NO_SETUID_FIXUP', Securebit.SECBIT_NO_SETUID_FIXUP, 'SECBIT_NO_SETUID_FIXUP'],
  ['SECBIT_NO_SETUID_FIXUP_LOCKED', Securebit.SECBIT_NO_SETUID_FIXUP_LOCKED, 'SECBIT_NO_SETUID_FIXUP_LOCKED'],
  ['SECBIT_KEEP_CAPS', Securebit.SECBIT_KEEP_CAPS, 'SECBIT_KEEP_CAPS'],
  ['SECBIT_KEEP_CAPS_LOCKED', Securebit.SECBIT_KEEP_CAPS_LOCKED, 'SECBIT_KEEP_CAPS_LOCKED'],
  ['SECBIT_NO_CAP_AMBIENT_RAISE', Securebit.SECBIT_NO_CAP_AMBIENT_RAISE, 'SECBIT_NO_CAP_AMBIENT_RAISE'],
  ['SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED', Securebit.SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED, 'SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED'],
  // Linux 6.14 added exec bits above 0xff: the sandbox reports 6.6's set.
  ['SECURE_ALL_BITS', cap.SECURE_ALL_BITS, '(SECURE_ALL_BITS & 0xff)'],
  ['SECURE_ALL_LOCKS', cap.SECURE_ALL_LOCKS, '(SECURE_ALL_LOCKS & 0xff)'],
  ['NGROUPS_MAX', cap.NGROUPS_MAX, 'NGROUPS_MAX'],
  ['RUSAGE_SELF', RusageWho.RUSAGE_SELF, 'RUSAGE_SELF'],
  ['RUSAGE_CHILDREN', RusageWho.RUSAGE_CHILDREN, 'RUSAGE_CHILDREN'],
  ['RUSAGE_THREAD', RusageWho.RUSAGE_THREAD, 'RUSAGE_THREAD'],
  ['PRIO_PROCESS', Prio.PRIO_PROCESS, 'PRIO_PROCESS'],
  ['PRIO_PGRP', Prio.PRIO_PGRP, 'PRIO_PGRP'],
  ['PRIO_USER', Prio.PRIO_USER, 'PRIO_USER'],
  ['TMS_SIZE', TMS_SIZE, 'sizeof(struct tms)'],
  ['SCHED_ATTR_SIZE_VER0', SCHED_ATTR_SIZE_VER0, 'SCHED_ATTR_SIZE_VER0'],
  ['SCHED_ATTR_SIZE_VER1', SCHED_ATTR_SIZE_VER1, 'SCHED_ATTR_SIZE_VER1'],
  ['SIZEOF_SCHED_ATTR', SCHED_ATTR_SIZE_VER1, 'sizeof(struct sched_attr)'],
  ['PRCTL_MM_MAP_SIZE', PRCTL_MM_MAP_SIZE, 'sizeof(struct prctl_mm_map)'],
];

const rusageFields: [keyof typeof RusageOffset, number][] = [
  ['UTIME', RusageOffset.UTIME], ['STIME', RusageOffset.STIME], ['MAXRSS', RusageOffset.MAXRSS],
  ['IXRSS', RusageOffset.IXRSS], ['IDRSS', RusageOffset.IDRSS], ['ISRSS', RusageOffset.ISRSS],
  ['MINFLT', RusageOffset.MINFLT], ['MAJFLT', RusageOffset.MAJFLT], ['NSWAP', RusageOffset.NSWAP],
  ['INBLOCK', RusageOffset.INBLOCK], ['OUBLOCK', RusageOffset.OUBLOCK], ['MSGSND', RusageOffset.MSGSND],
  ['MSGRCV', RusageOffset.MSGRCV], ['NSIGNALS', RusageOffset.NSIGNALS], ['NVCSW', RusageOffset.NVCSW],
  ['NIVCSW', RusageOffset.NIVCSW],
];
for (const [f, v] of rusageFields) checks.push([`RusageOffset.${f}`, v, `offsetof(struct rusage, ru_${f.toLowerCase()})`]);

const attrFields: [keyof typeof SchedAttrOffset, number][] = [
  ['SIZE', SchedAttrOffset.SIZE], ['POLICY', SchedAttrOffset.POLICY], ['FLAGS', SchedAttrOffset.FLAGS],
  ['NICE', SchedAttrOffset.NICE], ['PRIORITY', SchedAttrOffset.PRIORITY], ['RUNTIME', SchedAttrOffset.RUNTIME],
  ['DEADLINE', SchedAttrOffset.DEADLINE], ['PERIOD', SchedAttrOffset.PERIOD], ['UTIL_MIN', SchedAttrOffset.UTIL_MIN],
  ['UTIL_MAX', SchedAttrOffset.UTIL_MAX],
];
for (const [f, v] of attrFields) {
  const member = f === 'SIZE' ? 'size' : `sched_${f.toLowerCase()}`;
  checks.push([`SchedAttrOffset.${f}`, v, `offsetof(struct sched_attr, ${member})`]);
}

/** Values the headers have only from some version on: checked when defined. */
const optional: [string, number][] = [
  ['PR_SET_MDWE', PrctlNew.PR_SET_MDWE],
  ['PR_GET_MDWE', PrctlNew.PR_GET_MDWE],
  ['PR_GET_AUXV', PrctlNew.PR_GET_AUXV],
];

const capNames: [string, number][] = CAPABILITY_NAMES.map((n, i) => [n, i]);

test('capability, resource, sched_attr and prctl numbers match the C headers', { skip: !haveGcc() && 'no gcc' }, () => {
  const lines: string[] = [
    '#define _GNU_SOURCE',
    '#include <linux/capability.h>',
    '#include <linux/securebits.h>',
    '#include <linux/limits.h>',
    '#include <linux/prctl.h>',
    '#include <linux/sched/types.h>',
    '#include <sys/resource.h>',
    '#include <sys/times.h>',
    '#include <stdio.h>',
    '#include <stddef.h>',
    'int main(void) {',
  ];
  for (const [name, , expr] of checks) lines.push(`  printf("%s %lld\\n", "${name}", (long long)(${expr}));`);
  for (const [name] of optional) lines.push(`#ifdef ${name}\n  printf("%s %lld\\n", "${name}", (long long)(${name}));\n#endif`);
  for (const [name] of capNames) lines.push(`  printf("%s %lld\\n", "${name}", (long long)(${name}));`);
  lines.push('  return 0;', '}');
  const out = new Map<string, number>();
  for (const l of runC(lines.join('\n'), 'tsvisor-creds-abi-').split('\n')) {
    const [k, v] = l.split(' ');
    if (k) out.set(k, Number(v));
  }
  const bad: string[] = [];
  for (const [name, value] of [...checks.map(([n, v]) => [n, v] as [string, number]), ...capNames]) {
    if (out.get(name) !== value) bad.push(`${name}: TS ${value}, C ${out.get(name)}`);
  }
  for (const [name, value] of optional) if (out.has(name) && out.get(name) !== value) bad.push(`${name}: TS ${value}, C ${out.get(name)}`);
  assert.deepEqual(bad, []);
  assert.equal(CAPABILITY_NAMES.length, CAP_LAST_CAP + 1);
  assert.equal(Capability.CAP_CHECKPOINT_RESTORE, CAP_LAST_CAP);
});

// Resource limits (man 2 getrlimit). RLIM_INFINITY is Infinity here and is
// encoded as ~0 at the ABI boundary.
import { RLIM_NLIMITS } from '../abi/linux/rlimit.js';
export interface Limit {
  cur: number;
  max: number;
}

/** The number of resources (RLIM_NLIMITS). */
export const RLIMIT_COUNT = RLIM_NLIMITS;
const MiB = 1024 * 1024;

/** Linux defaults for a container's init process (index = RLIMIT_*). */
function defaults(): Limit[] {
  const inf = { cur: Infinity, max: Infinity };
  const l: Limit[] = [];
  for (let i = 0; i < RLIMIT_COUNT; i++) l.push({ ...inf });
  l[3] = { cur: 8 * MiB, max: Infinity }; // RLIMIT_STACK
  l[4] = { cur: 0, max: Infinity }; // RLIMIT_CORE
  l[6] = { cur: 63_704, max: 63_704 }; // RLIMIT_NPROC
  l[7] = { cur: 1024, max: 524_288 }; // RLIMIT_NOFILE
  l[8] = { cur: 8 * MiB, max: 8 * MiB }; // RLIMIT_MEMLOCK
  l[11] = { cur: 63_704, max: 63_704 }; // RLIMIT_SIGPENDING
  l[12] = { cur: 819_200, max: 819_200 }; // RLIMIT_MSGQUEUE
  l[13] = { cur: 0, max: 0 }; // RLIMIT_NICE
  l[14] = { cur: 0, max: 0 }; // RLIMIT_RTPRIO
  return l;
}

export class Limits {
  readonly table: Limit[];
  constructor(table?: Limit[]) {
    this.table = table ? table.map((x) => ({ ...x })) : defaults();
  }
  get(resource: number): Limit {
    return this.table[resource];
  }
  clone(): Limits {
    return new Limits(this.table);
  }
}

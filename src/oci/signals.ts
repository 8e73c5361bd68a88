// Signal arguments of `kill` (as runc parses them): a number, or a name with
// or without "SIG" in any case, plus the aliases and real-time forms
// (RTMIN+N, RTMAX-N; glibc's SIGRTMIN is 34).
import { NSIG, SIGNAL_NAMES } from '../abi/linux/signal.js';

const ALIASES: Record<string, number> = { SIGIOT: 6, SIGCLD: 17, SIGPOLL: 29, SIGUNUSED: 31, SIGINFO: 30 };
/** The first real-time signal as programs see it (glibc reserves 32 and 33). */
const RTMIN = 34;
const RTMAX = 64;

/** The signal number of s, or an Error naming what is wrong. */
export function parseSignal(s: string): number | Error {
  const t = s.trim();
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n < 1 || n > NSIG) return new Error(`invalid signal number ${t} (1 to ${NSIG})`);
    return n;
  }
  let name = t.toUpperCase();
  if (!name.startsWith('SIG')) name = `SIG${name}`;
  const rt = /^SIGRT(MIN|MAX)(?:([+-])(\d+))?$/.exec(name);
  if (rt) {
    const base = rt[1] === 'MIN' ? RTMIN : RTMAX;
    const off = rt[3] === undefined ? 0 : Number(rt[3]) * (rt[2] === '+' ? 1 : -1);
    const n = base + off;
    if (n < RTMIN || n > RTMAX) return new Error(`invalid signal ${JSON.stringify(s)}`);
    return n;
  }
  const idx = SIGNAL_NAMES.indexOf(name);
  if (idx > 0 && idx < 32) return idx;
  if (ALIASES[name] !== undefined) return ALIASES[name];
  return new Error(`unknown signal ${JSON.stringify(s)}`);
}

// The sandbox process's own host namespaces. Docker's prestart hook
// (libnetwork-setkey) and other hooks configure "the container's" network
// namespace by joining /proc/PID/ns/net of the container's pid, the sandbox
// process. In the host's namespace that would change the host (Docker's
// --network=none turns IPv6 off on lo there). As runsc does, the sandbox
// process runs in new network, IPC and UTS namespaces: its guests never use
// host networking (sockets live in the sentry), and what a hook changes in
// them stays there. It keeps the host's mount namespace (bind sources,
// cgroups, the state directory). Needs CAP_SYS_ADMIN (root); without it
// (rootless) the sandbox stays in the caller's namespaces.
import fs from 'node:fs';

const UNSHARE_PATHS = ['/usr/bin/unshare', '/bin/unshare'];

/** The command that runs argv in new namespaces (util-linux unshare execs it: the pid is the same), or argv as it is. */
export function inOwnNamespaces(argv: readonly string[]): { file: string; args: string[]; isolated: boolean } {
  const unshare = process.getuid?.() === 0 ? UNSHARE_PATHS.find((p) => fs.existsSync(p)) : undefined;
  if (unshare === undefined) return { file: argv[0] as string, args: argv.slice(1), isolated: false };
  return { file: unshare, args: ['--net', '--ipc', '--uts', '--', ...argv], isolated: true };
}

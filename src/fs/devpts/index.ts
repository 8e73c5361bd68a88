// devpts: the public surface (devpts.ts, pty.ts, console.ts).
export { createDevpts, DEVPTS_SUPER_MAGIC, DevptsFs, devptsOfInode, PTY_BUFFER_BUDGET, PTY_MAX, PtsNode, type DevptsOptions } from './devpts.js';
export { OUTPUT_LIMIT, Pty, PTY_SLAVE_MAJOR, PtyMasterFile, PtySlaveFile, type PtyOwner } from './pty.js';
export { attachProcessTerminal, bridgeHostFds, bridgeHostTerminal, Console, createConsole, openConsoleSlave, type ConsoleOptions, type HostTerminalBridge } from './console.js';

// Terminals: the public surface (tty.ts, ldisc.ts, hooks.ts, ctty.ts).
export { HUNG_UP_POLL, INPUT_LIMIT, openControllingTerminal, terminalOf, Tty, TtyFile, type TtyDevice } from './tty.js';
export { N_TTY_BUF_SIZE, NTty, type LdiscDriver } from './ldisc.js';
export { setTtyKernel, ttyKernel, type TaskToken, type TtyKernel, type TtyProcess } from './hooks.js';
export { controllingTerminalOf } from './ctty.js';
export { BufferBudget, ByteQueue } from './queue.js';
export { Sleeper, WaitQueue } from './wait.js';

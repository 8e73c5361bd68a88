// Pipes and FIFOs (man 7 pipe, man 7 fifo).
export { PAGE_SIZE, PIPE_BUF, PIPE_DEF_BUFFERS, PIPE_MIN_DEF_BUFFERS, PipeAccounting, defaultPipeAccounting, pipeCallerFromCreds, roundPipeSize, type PipeCaller } from './accounting.js';
export { pipeHooks, interruptPipeWait, type PipeKernelHooks, type TaskToken, type Interruptible } from './hooks.js';
export { IoCursor } from './iov.js';
export { Pipe, PollEvent, SPLICE_RETRY, pipefsDevice, type PipeOptions, type StatusFlags } from './pipe.js';
export { PipeEnd, PipeFile, createPipe } from './pipe_file.js';
export { Fifo, FifoFile, fifoOf, fifoPipe } from './fifo.js';

// A reused scratch buffer for encoding and decoding small structs on the
// syscall path (no allocation per call). Safe because the kernel is single
// threaded and a handler finishes with it before returning.
export const scratch = new Uint8Array(65536);
export const scratchView = new DataView(scratch.buffer);


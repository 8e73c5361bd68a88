// Randomness for address-space layout (ASLR) and AT_RANDOM.
import { randomFillSync, randomInt } from 'node:crypto';
import type { RandomSource } from './memory.js';

/** Uniform integer in [0, bound) from the host CSPRNG; bound must be in [1, 2^48). */
export const cryptoRandom: RandomSource = (bound) => (bound <= 1 ? 0 : randomInt(bound));

/** 16 fresh random bytes for AT_RANDOM. */
export function randomBytes16(): Uint8Array {
  return randomFillSync(new Uint8Array(16));
}

// Sending signals: see signals.ts (kept as the import path other modules use).
export { sendSignal, userSiginfo } from './signals.js';

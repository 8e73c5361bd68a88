// Device numbers of file systems without a backing device (tmpfs, proc,
// devpts …): major 0, minors handed out in order (get_anon_bdev).
import { makeDev } from '../abi/linux/stat.js';

let nextMinor = 16;

export function allocAnonDev(): number {
  return makeDev(0, nextMinor++);
}

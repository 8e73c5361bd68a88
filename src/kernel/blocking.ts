// The promise a blocking syscall returns. Most waits end inside the kernel's
// pump, from another task's syscall (a pipe write wakes its reader); the
// woken call's continuation is a promise reaction, which runs only once the
// pump returns to Node's loop. So the pump returns as soon as a wait ended
// (wakeups.count moved) instead of serving other tasks for the rest of its
// slice, and the woken task runs within microseconds, not milliseconds.

/** Resolutions of blocking-syscall promises so far (the pump compares it). */
export const wakeups = { count: 0 };

/** new Promise(executor), counting its resolution in wakeups. */
export function blockingPromise<T>(executor: (resolve: (v: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve) => {
    executor((v) => {
      wakeups.count++;
      resolve(v);
    });
  });
}

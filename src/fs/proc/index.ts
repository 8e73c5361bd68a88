// procfs: the public surface (see procfs.ts and view.ts).
export { createProcfs, ProcFileSystem, PROC_SUPER_MAGIC, type ProcfsOptions } from './procfs.js';
export { mountEntries, mountFlagNames, type MountDescription } from './mounts.js';
export { memStatsFromVmas, restrictCpuinfo, vmasFromMaps } from './format.js';
export * from './view.js';

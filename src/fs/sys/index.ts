// sysfs: the public surface (see sysfs.ts).
export { cpuRange, createSysfs, SysFileSystem, SYSFS_MAGIC, type SysfsOptions } from './sysfs.js';

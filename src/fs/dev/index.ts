// devfs: the public surface (see devfs.ts and devices.ts).
export { createDevfs, DEV_DIRS, DEV_LINKS, DEV_NODES, devptsFor, type Devfs, type DevfsOptions } from './devfs.js';
export {
  DeviceRegistry,
  FullDevice,
  hostRandom,
  NullDevice,
  RandomDevice,
  registerStandardDevices,
  ZeroDevice,
  type DeviceFile,
  type DeviceOpener,
  type RandomSource,
  type StandardDeviceOptions,
} from './devices.js';
export {
  CONSOLE_MINOR,
  FULL_MINOR,
  MEM_MAJOR,
  NULL_MINOR,
  PTMX_MINOR,
  RANDOM_MINOR,
  TTY_MINOR,
  TTYAUX_MAJOR,
  UNIX98_PTY_SLAVE_MAJOR,
  URANDOM_MINOR,
  ZERO_MINOR,
} from './devices.js';

// Container state on the host, under the runtime's root directory (--root,
// default /run/tsvisor): one directory per container, holding
//
//   state.json    the container's state (written by the CLI, atomically)
//   launch.json   what the sandbox process boots (the resolved config)
//   exit.json     how the container's first process ended (the sandbox process writes it as it exits)
//   ctl.sock      the sandbox process's control socket
//
// Every file is written to a temporary name and renamed into place, so a
// reader sees the old file or the new one, never half of one. The live
// status is derived: a container whose sandbox process is gone (or a zombie,
// or a different process that reused the pid) is stopped, whatever the file says.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Hooks } from './config.js';
import type { OciState } from './spec.js';

export type Status = OciState['status'];

/** What state.json holds: the OCI state plus what the runtime needs later. */
export interface StoredState {
  ociVersion: string;
  id: string;
  /** The last status a command set: creating, created, running or paused (stopped is derived). */
  status: 'creating' | 'created' | 'running' | 'paused';
  bundle: string;
  rootfs: string;
  created: string;
  owner: string;
  annotations?: Record<string, string>;
  /** Host pid of the sandbox process, and its start time (/proc/PID/stat field 22) against pid reuse. */
  sandboxPid: number;
  sandboxStart: string;
  /** Hooks still to run (startContainer, poststart, poststop). */
  hooks: Hooks;
}

export interface ExitInfo {
  code?: number;
  signal?: number;
  /** As a shell reports it: the code, or 128+N for signal N. */
  status: number;
  finished: string;
}

/** A container id as runc accepts it. */
export function validId(id: string): boolean {
  return /^[\w+\-.]+$/.test(id) && id !== '.' && id !== '..';
}

/** Writes data to file atomically (a temporary file in the same directory, then rename). */
export function writeAtomic(file: string, data: string, mode = 0o600): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`);
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, mode);
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** /proc/PID/stat's start time and state letter, or null if there is no such process. */
export function processStat(pid: number): { start: string; state: string } | null {
  if (!(pid > 0)) return null;
  let s: string;
  try {
    s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) S ppid ...": comm may hold spaces and parentheses; the last ")" ends it.
  const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0], start: rest[19] };
}

/** Whether the process pid started at `start` still runs (not a zombie, not a reused pid). */
export function processAlive(pid: number, start: string): boolean {
  const st = processStat(pid);
  return st !== null && st.start === start && st.state !== 'Z' && st.state !== 'X';
}

export class StateStore {
  constructor(readonly root: string) {}

  dir(id: string): string {
    return path.join(this.root, id);
  }

  /** Makes the container's directory; false if one exists. */
  create(id: string): boolean {
    fs.mkdirSync(this.root, { recursive: true, mode: 0o711 });
    try {
      fs.mkdirSync(this.dir(id), { mode: 0o700 });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  }

  exists(id: string): boolean {
    return fs.existsSync(this.dir(id));
  }

  write(st: StoredState): void {
    writeAtomic(path.join(this.dir(st.id), 'state.json'), JSON.stringify(st, null, 2) + '\n');
  }

  /** The stored state, or null if the container (or its state file) does not exist. */
  read(id: string): StoredState | null {
    if (!validId(id)) return null;
    try {
      return JSON.parse(fs.readFileSync(path.join(this.dir(id), 'state.json'), 'utf8')) as StoredState;
    } catch {
      return null;
    }
  }

  writeExit(id: string, e: ExitInfo): void {
    writeAtomic(path.join(this.dir(id), 'exit.json'), JSON.stringify(e) + '\n');
  }

  readExit(id: string): ExitInfo | null {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.dir(id), 'exit.json'), 'utf8')) as ExitInfo;
    } catch {
      return null;
    }
  }

  /** Ids of the containers with a state file, sorted. */
  list(): string[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.root);
    } catch {
      return [];
    }
    return names.filter((n) => validId(n) && fs.existsSync(path.join(this.root, n, 'state.json'))).sort();
  }

  remove(id: string): void {
    if (!validId(id)) return;
    fs.rmSync(this.dir(id), { recursive: true, force: true });
  }

  /** The live status: stopped once the sandbox process is gone or has reported its exit. */
  status(st: StoredState): Status {
    if (!processAlive(st.sandboxPid, st.sandboxStart)) return 'stopped';
    if (this.readExit(st.id) !== null) return 'stopped';
    return st.status;
  }

  /** The OCI state (runtime.md): pid is the sandbox process's while it runs, 0 once stopped. */
  ociState(st: StoredState, status: Status = this.status(st)): OciState {
    const s: OciState = {
      ociVersion: st.ociVersion,
      id: st.id,
      pid: status === 'stopped' ? 0 : st.sandboxPid,
      status,
      bundle: st.bundle,
      rootfs: st.rootfs,
      created: st.created,
      owner: st.owner,
    };
    if (st.annotations && Object.keys(st.annotations).length > 0) s.annotations = st.annotations;
    return s;
  }
}

export type Operation = 'start' | 'kill' | 'pause' | 'resume' | 'exec' | 'delete' | 'update' | 'ps' | 'events';

/**
 * Whether op may run on a container in `status` (the lifecycle of
 * runtime.md, with runc's messages): null if it may, else the error.
 */
export function checkOperation(op: Operation, status: Status, id: string, opts: { force?: boolean; ignorePaused?: boolean } = {}): string | null {
  switch (op) {
    case 'start':
      if (status === 'created') return null;
      if (status === 'stopped') return 'cannot start a container that has stopped';
      if (status === 'running') return 'cannot start an already running container';
      return `cannot start a container in the ${status} state`;
    case 'kill':
      return status === 'stopped' ? 'container not running' : null;
    case 'pause':
      return status === 'running' ? null : status === 'paused' ? 'container already paused' : 'container not running';
    case 'resume':
      return status === 'paused' ? null : 'container not paused';
    case 'exec':
      // As runc: a created container takes execs (its first process still waits for start).
      if (status === 'running' || status === 'created') return null;
      if (status === 'paused') return opts.ignorePaused ? null : 'cannot exec in a paused container (use --ignore-paused to override)';
      return 'cannot exec in a stopped container';
    case 'delete':
      if (status === 'stopped' || status === 'created' || opts.force) return null;
      return `cannot delete container ${id} that is not stopped: ${status}`;
    case 'update':
    case 'ps':
    case 'events':
      return status === 'stopped' ? 'container not running' : null;
  }
}

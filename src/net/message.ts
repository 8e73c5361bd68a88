// One sendmsg or recvmsg as a socket sees it (struct msghdr after the
// syscall layer copied it in): the data as a cursor over guest buffers, the
// flags, the address, and the control data already parsed (SCM_RIGHTS as
// open file descriptions, SCM_CREDENTIALS as a ucred). The objects live for
// the whole call, across a parked wait.
import type { Ucred } from '../abi/linux/socket.js';
import type { IoCursor } from '../fs/pipe/iov.js';
import type { FileDescription } from '../vfs/file.js';

export interface SendMsg {
  readonly cur: IoCursor;
  /** The data's length (the cursor's total at the start). */
  readonly len: number;
  /** MSG_* (MSG_DONTWAIT added for an O_NONBLOCK file). */
  flags: number;
  /** The destination address as the caller gave it (msg_name, msg_namelen), or null. */
  readonly addr: Uint8Array | null;
  /**
   * SCM_RIGHTS files, one reference each. A socket that queues them takes
   * the references and sets this to null; what is left is dropped by the caller.
   */
  rights: FileDescription[] | null;
  /** SCM_CREDENTIALS as given (already checked against the sender's credentials), or null. */
  creds: Ucred | null;
  /** The write(2) path: EOR for SEQPACKET, no address. */
  readonly fromWrite: boolean;
}

export interface RecvMsg {
  readonly cur: IoCursor;
  readonly len: number;
  /** MSG_* (MSG_DONTWAIT added for an O_NONBLOCK file). */
  flags: number;
  /** The caller wants the source address (recvfrom with an address, recvmsg always). */
  readonly wantName: boolean;
  /** Out: the source address (its length is msg_namelen), or null for none (namelen 0). */
  name: Uint8Array | null;
  /** Out: MSG_TRUNC, MSG_CTRUNC, MSG_EOR … for msg_flags. */
  msgFlags: number;
  /** Out: SCM_RIGHTS files received, one reference each (owned by the caller). */
  rights: FileDescription[] | null;
  /** Out: SCM_CREDENTIALS to report (the receiver has SO_PASSCRED). */
  creds: Ucred | null;
}

export function newRecvMsg(cur: IoCursor, len: number, flags: number, wantName: boolean): RecvMsg {
  return { cur, len, flags, wantName, name: null, msgFlags: 0, rights: null, creds: null };
}

export function newSendMsg(cur: IoCursor, len: number, flags: number, addr: Uint8Array | null, fromWrite = false): SendMsg {
  return { cur, len, flags, addr, rights: null, creds: null, fromWrite };
}

/** Drops the references of files no one will receive. */
export function dropRights(rights: FileDescription[] | null): void {
  if (!rights) return;
  for (const f of rights) f.decRef();
}

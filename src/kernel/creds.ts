// Task credentials (man 7 credentials). Capabilities come with the processes issue.
export class Credentials {
  constructor(
    public uid = 0,
    public gid = 0,
    public euid = uid,
    public egid = gid,
    public suid = uid,
    public sgid = gid,
    public fsuid = uid,
    public fsgid = gid,
    public groups: number[] = [],
  ) {}

  clone(): Credentials {
    return new Credentials(this.uid, this.gid, this.euid, this.egid, this.suid, this.sgid, this.fsuid, this.fsgid, [...this.groups]);
  }
}

import * as fs from 'fs';
import * as path from 'path';

/**
 * Users and groups as the guest knows them, from its own /etc/passwd and /etc/group: owner names
 * in documents are the image's accounts, not the host's.
 */
export class GuestAccounts {
  private readonly users = new Map<string, { uid: number; gid: number }>();
  private readonly groups = new Map<string, number>();

  constructor(root: string) {
    for (const fields of readTable(path.join(root, 'etc', 'passwd'))) {
      this.users.set(fields[0], { uid: Number(fields[2]), gid: Number(fields[3]) });
    }
    for (const fields of readTable(path.join(root, 'etc', 'group'))) {
      this.groups.set(fields[0], Number(fields[2]));
    }
  }

  /** The uid and primary gid of a user name or numeric id. */
  public user(name: string): { uid: number; gid: number } {
    const known = this.users.get(name);
    if (known) {
      return known;
    }
    if (/^\d+$/.test(name)) {
      const uid = Number(name);
      const byId = [...this.users.values()].find(u => u.uid === uid);
      return { uid, gid: byId?.gid ?? uid };
    }
    throw new Error(`no user '${name}' on the image (its /etc/passwd)`);
  }

  /** The gid of a group name or numeric id. */
  public group(name: string): number {
    const known = this.groups.get(name);
    if (known !== undefined) {
      return known;
    }
    if (/^\d+$/.test(name)) {
      return Number(name);
    }
    throw new Error(`no group '${name}' on the image (its /etc/group)`);
  }
}

function readTable(file: string): string[][] {
  if (!fs.existsSync(file)) {
    return [];
  }
  return fs.readFileSync(file, 'utf-8').split('\n')
    .filter(line => line.trim() !== '' && !line.startsWith('#'))
    .map(line => line.split(':'))
    .filter(fields => fields.length >= 4);
}

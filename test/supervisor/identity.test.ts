// user/group → ids from passwd and group text, as login(1) would set them.
import { describe, expect, it } from 'vitest';
import { resolveIdentity } from '../../src/supervisor/identity';

const passwd = 'root:x:0:0:root:/root:/bin/sh\nwww:x:33:33:www:/var/www:/usr/sbin/nologin\nnobody:x:65534:65534::/:/usr/sbin/nologin\n';
const group = 'root:x:0:\nwww:x:33:\nlog:x:4:www,syslog\nweb:x:900:www\nnogroup:x:65534:\n';

describe('resolveIdentity', () => {
  it('takes a user name with its primary and supplementary groups', () => {
    expect(resolveIdentity('www', undefined, { passwd, group })).toEqual({ uid: 33, gid: 33, groups: [33, 4, 900] });
  });

  it('takes numbers as they are, and a group given apart', () => {
    expect(resolveIdentity(65534, 'nogroup', { passwd, group })).toEqual({ uid: 65534, gid: 65534, groups: [65534] });
    expect(resolveIdentity('1234', 1234, { passwd, group })).toEqual({ uid: 1234, gid: 1234, groups: [1234] });
    expect(resolveIdentity(undefined, 'web', { passwd, group })).toEqual({ uid: 0, gid: 900, groups: [900] });
  });

  it('names what is missing', () => {
    expect(resolveIdentity('ghost', undefined, { passwd, group })).toBe('user ghost is not in /etc/passwd');
    expect(resolveIdentity('www', 'ghosts', { passwd, group })).toBe('group ghosts is not in /etc/group');
  });
});

import test from 'ava';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserNames } from './user-names.ts';
import { withTmpDir } from './test-support.ts';

test('maps ids to names from passwd and group files, first entry winning', async (t) => {
  await withTmpDir(async (dir) => {
    const passwd = path.join(dir, 'passwd');
    const group = path.join(dir, 'group');
    await writeFile(passwd, '# comment\nroot:x:0:0:root:/root:/bin/sh\nspec:x:1000:1000::/home/spec:/bin/sh\ndup:x:1000:1000::/:/bin/sh\n+nis::77:77::/:\nbroken\n');
    await writeFile(group, 'root:x:0:\nstaff:x:50:spec\n');
    const names = new UserNames({ passwdPath: passwd, groupPath: group });
    t.is(await names.userName(1000), 'spec');
    t.is(await names.userName(0), 'root');
    t.is(await names.userName(77), '');
    t.is(await names.userName(4242), '');
    t.is(await names.groupName(50), 'staff');
    t.is(await names.groupName(1000), '');
    await writeFile(passwd, 'other:x:1000:1000::/:/bin/sh\n');
    t.is(await names.userName(1000), 'spec', 'parsed once and cached');
    t.is(await new UserNames({ passwdPath: path.join(dir, 'missing') }).userName(0), '');
  });
});

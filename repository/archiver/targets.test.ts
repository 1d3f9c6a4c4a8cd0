import test from 'ava';
import { planTargets, type VirtualDir } from './targets.ts';

const shape = (d: VirtualDir): unknown =>
  Object.fromEntries([...d.children].map(([k, v]) => [k, typeof v === 'string' ? v : { real: v.realPath, c: shape(v) }]));

test('relative targets stay relative, absolute ones keep every component', (t) => {
  const p = planTargets(['src', '/srv/app/data', 'a/b'], '/home/u');
  t.deepEqual(p.paths, ['/home/u/src', '/srv/app/data', '/home/u/a/b']);
  t.deepEqual(shape(p.root), {
    src: '/home/u/src',
    srv: { real: '/srv', c: { app: { real: '/srv/app', c: { data: '/srv/app/data' } } } },
    a: { real: '/home/u/a', c: { b: '/home/u/a/b' } },
  });
  t.is(p.rootDir, undefined);
});

test('dot puts the directory contents at the root', (t) => {
  const p = planTargets(['.'], '/vol');
  t.is(p.rootDir, '/vol');
  t.deepEqual(p.paths, ['/vol']);
  t.throws(() => planTargets(['.', 'x'], '/vol'), { message: /cannot be combined/ });
  t.throws(() => planTargets([], '/vol'), { message: /no paths/ });
});

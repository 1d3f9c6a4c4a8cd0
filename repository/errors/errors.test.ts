import test from 'ava';
import { SkiffError, isCode } from './errors.ts';

test('isCode matches only SkiffErrors of that code', (t) => {
  const e = new SkiffError('NotFound', 'no such object', { cause: new Error('x') });
  t.true(isCode(e, 'NotFound'));
  t.false(isCode(e, 'Transient'));
  t.false(isCode(new Error('NotFound'), 'NotFound'));
  t.is((e.cause as Error).message, 'x');
});

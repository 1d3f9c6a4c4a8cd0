import test from 'ava';
import { compileExcludes, parseExcludeFile } from './excludes.ts';

test('globs match components, ** crosses them, / anchors', (t) => {
  const m = compileExcludes(['*.tmp', '/srv/cache', 'node_modules', 'logs/**/old', 'a?c', '[xy].txt']);
  t.true(m('/home/u/file.tmp'));
  t.false(m('/home/u/file.tmp.keep'));
  t.true(m('/srv/cache'));
  t.false(m('/other/srv/cache'));
  t.true(m('/p/q/node_modules'));
  t.false(m('/p/q/node_modules_x'));
  t.true(m('/var/logs/2024/01/old'));
  t.true(m('/d/abc'));
  t.false(m('/d/abbc'));
  t.true(m('/d/x.txt'));
  t.false(m('/d/z.txt'));
  t.false(compileExcludes([])('/anything'));
});

test('exclude files skip comments and blank lines', (t) => {
  t.deepEqual(parseExcludeFile('# c\n\n*.o\r\n  /tmp  \n'), ['*.o', '/tmp']);
});

/**
 * restic-style exclude patterns, matched against absolute paths:
 * `*` and `?` stay inside one path component, `**` crosses components, a leading `/` anchors the
 * pattern at the root, otherwise it may match any trailing run of components (`*.tmp`, `cache/x`).
 * An excluded directory is not descended into.
 */
export type ExcludeMatcher = (absPath: string) => boolean;

export function compileExcludes(patterns: readonly string[]): ExcludeMatcher {
  const res = patterns
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map(toRegExp);
  if (res.length === 0) return () => false;
  return (absPath) => res.some((re) => re.test(absPath));
}

/** Lines of an --exclude-file: blank lines and `#` comments are ignored. */
export function parseExcludeFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function toRegExp(pattern: string): RegExp {
  const anchored = pattern.startsWith('/');
  const body = pattern.replace(/^\/+/, '').replace(/\/+$/, '');
  let re = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '*' && body[i + 1] === '*') {
      re += '.*';
      i++;
      if (body[i + 1] === '/') i++, (re += '(?:/)?');
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = body.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${body.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(anchored ? `^/${re}$` : `(?:^|/)${re}$`, 's');
}

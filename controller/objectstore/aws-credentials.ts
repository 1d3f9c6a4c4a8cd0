import { SkiffError } from '../../repository/errors/errors.ts';
import type { S3Credentials } from '../../repository/storage/index.ts';

/**
 * Reads one profile of an AWS shared credentials file (what a BSL's credential Secret holds):
 *
 *     [default]
 *     aws_access_key_id = AKIA...
 *     aws_secret_access_key = ...
 *     aws_session_token = ...        (optional)
 *
 * Sections may be written `[name]` or `[profile name]`; `#` and `;` start comments. Throws SkiffError
 * Config naming the profile or the missing key, never a value.
 */
export function parseAwsCredentials(text: string, profile = 'default'): S3Credentials {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (section !== null) {
      const name = section[1] ?? '';
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0 || current === undefined) continue;
    current.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  const p = sections.get(profile);
  if (p === undefined) {
    const known = [...sections.keys()];
    throw new SkiffError('Config', `the credentials file has no profile [${profile}]${known.length === 0 ? ' (no profiles at all: is it an AWS credentials file?)' : ` (it has ${known.map((k) => `[${k}]`).join(', ')})`}`);
  }
  const accessKeyId = p.get('aws_access_key_id') ?? '';
  const secretAccessKey = p.get('aws_secret_access_key') ?? '';
  if (accessKeyId === '') throw new SkiffError('Config', `profile [${profile}] of the credentials file has no aws_access_key_id`);
  if (secretAccessKey === '') throw new SkiffError('Config', `profile [${profile}] of the credentials file has no aws_secret_access_key`);
  const sessionToken = p.get('aws_session_token') ?? '';
  return { accessKeyId, secretAccessKey, ...(sessionToken === '' ? {} : { sessionToken }) };
}

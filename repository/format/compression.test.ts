import test from 'ava';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { isCode } from '../errors/errors.ts';
import { compressBlob, compressFrame, decompressBlob, decompressFrame } from './compression.ts';

const text = Buffer.from('{"nodes":[{"name":"hello.txt","type":"file"}]}\n'.repeat(500));

function zstdCli(): boolean {
  try {
    execFileSync('zstd', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('round trip; frame has no checksum and carries the content size', (t) => {
  const z = compressBlob(text);
  t.truthy(z);
  t.true(z!.length < text.length / 10);
  t.is(z!.readUInt32LE(0), 0xfd2fb528);
  const fhd = z![4]!;
  t.is(fhd & 0x04, 0, 'checksum flag off');
  t.true((fhd & 0xc0) !== 0 || (fhd & 0x20) !== 0, 'content size present');
  t.deepEqual(decompressBlob(z!, text.length), text);
});

test('incompressible and empty input returns null', (t) => {
  t.is(compressBlob(randomBytes(1 << 20)), null);
  t.is(compressBlob(randomBytes(10)), null);
  t.is(compressBlob(new Uint8Array(0)), null);
  t.truthy(compressBlob(Buffer.alloc(1 << 20)));
});

test('decompressBlob: Integrity on wrong length, corrupt frame and zip bombs', (t) => {
  const z = compressBlob(text)!;
  t.true(isCode(t.throws(() => decompressBlob(z, text.length + 1)), 'Integrity'));
  const bomb = t.throws(() => decompressBlob(z, text.length - 1));
  t.true(isCode(bomb, 'Integrity'));
  t.regex(bomb!.message, /exceeds/);
  t.true(isCode(t.throws(() => decompressBlob(Buffer.from('not zstd at all'), 5)), 'Integrity'));
  t.true(isCode(t.throws(() => decompressBlob(z.subarray(0, z.length - 3), text.length)), 'Integrity'));
  const huge = compressFrame(Buffer.alloc(64 << 20));
  t.true(isCode(t.throws(() => decompressFrame(huge, 1 << 20)), 'Integrity'));
});

const hasCli = zstdCli();
if (!hasCli) console.warn('SKIPPED: zstd CLI not installed (apt-get install zstd); foreign-frame test skipped');
// Locally a missing CLI skips loudly; in CI it fails.
const cliTest = hasCli || process.env['CI'] ? test : test.skip;

cliTest('frames from the zstd CLI: without content size, with checksum', (t) => {
  const input = Buffer.concat([text, randomBytes(100), text]);
  const noSize = execFileSync('zstd', ['-q', '-c', '--no-content-size', '--no-check', '-'], { input });
  t.is(noSize[4]! & 0xe0, 0, 'no content size, not single segment');
  t.deepEqual(decompressBlob(noSize, input.length), input);
  const checked = execFileSync('zstd', ['-q', '-c', '-19', '--check', '-'], { input });
  t.is(checked[4]! & 0x04, 0x04, 'checksum present');
  t.deepEqual(decompressBlob(checked, input.length), input);
  checked[checked.length - 1]! ^= 1; // damage the checksum
  t.true(isCode(t.throws(() => decompressBlob(checked, input.length)), 'Integrity'));
  t.deepEqual(decompressBlob(execFileSync('zstd', ['-q', '-c', '-'], { input: 'x' }), 1), Buffer.from('x'));
});

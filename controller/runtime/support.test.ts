import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import test from 'ava';
import { ManualClock, sleepOn } from './clock.ts';
import { healthRoutes, metricsRoutes, parseListenAddress, serveHttp } from './http-endpoints.ts';
import { makeLogger, silentLogger } from './logger.ts';
import { mergePatch } from './mem-skiff-client.ts';
import { ServerMetrics } from './metrics.ts';
import { Redacted } from './redact.ts';
import { formatGoDuration, formatTime, parseGoDuration } from './time.ts';

test('Go durations parse like time.ParseDuration and print like metav1.Duration', (t) => {
  t.is(parseGoDuration('720h0m0s'), 720 * 3_600_000);
  t.is(parseGoDuration('1m'), 60_000);
  t.is(parseGoDuration('1h30m'), 5_400_000);
  t.is(parseGoDuration('1.5h'), 5_400_000);
  t.is(parseGoDuration('300ms'), 300);
  t.is(parseGoDuration('0'), 0);
  t.is(parseGoDuration('-2s'), -2000);
  for (const bad of ['', '10', '1d', 'h', '1 h', '5x']) {
    t.throws(() => parseGoDuration(bad), { message: /invalid duration/ }, bad);
  }
  t.is(formatGoDuration(720 * 3_600_000), '720h0m0s');
  t.is(formatGoDuration(90_000), '1m30s');
  t.is(formatGoDuration(1500), '1.5s');
  t.is(formatGoDuration(0), '0s');
  t.is(parseGoDuration(formatGoDuration(123_456_000)), 123_456_000);
  t.is(formatTime(new Date('2024-05-01T12:00:00.987Z')), '2024-05-01T12:00:00Z');
});

test('Redacted values never print', (t) => {
  const r = new Redacted('hunter2');
  t.is(String(r), '[redacted]');
  t.is(`${r}`, '[redacted]');
  t.is(JSON.stringify({ r }), '{"r":"[redacted]"}');
  t.false(inspect({ r }).includes('hunter2'));
  t.is(r.reveal(), 'hunter2');
});

test('the logger writes JSON lines with level words and censors secret fields', (t) => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  const log = makeLogger({ level: 'info', destination: sink, base: { component: 'test' } });
  log.child({ backup: 'b1' }).info({ password: 'p4ss', creds: { secretAccessKey: 'SECRET', accessKeyId: 'AKIA' }, r: new Redacted('tok') }, 'hello');
  log.debug('dropped at info');
  t.is(lines.length, 1);
  const rec = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
  t.is(rec['level'], 'info');
  t.is(rec['msg'], 'hello');
  t.is(rec['component'], 'test');
  t.is(rec['backup'], 'b1');
  t.is(rec['password'], '[redacted]');
  t.deepEqual(rec['creds'], { secretAccessKey: '[redacted]', accessKeyId: 'AKIA' });
  t.is(rec['r'], '[redacted]');
  t.false((lines[0] ?? '').includes('p4ss') || (lines[0] ?? '').includes('SECRET') || (lines[0] ?? '').includes('tok"'));
  t.regex(String(rec['time']), /^\d{4}-\d\d-\d\dT/);
});

test('listen addresses: host:port, :port and port', (t) => {
  t.deepEqual(parseListenAddress(':8085'), { host: '0.0.0.0', port: 8085 });
  t.deepEqual(parseListenAddress('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
  t.deepEqual(parseListenAddress('8086'), { host: '0.0.0.0', port: 8086 });
  t.deepEqual(parseListenAddress('[::1]:9000'), { host: '::1', port: 9000 });
  t.throws(() => parseListenAddress('localhost'));
  t.throws(() => parseListenAddress(':70000'));
});

test('JSON merge patch: nested merge, null deletes, arrays replace', (t) => {
  t.deepEqual(mergePatch({ a: { b: 1, c: 2 }, l: [1, 2], x: 1 }, { a: { b: 3, c: null }, l: [9], y: 'new', x: null }), { a: { b: 3 }, l: [9], y: 'new' });
});

test('ManualClock fires due timers in order and sleepOn honours abort', async (t) => {
  const clock = new ManualClock(0);
  const fired: string[] = [];
  clock.setTimer(() => fired.push('b@20'), 20);
  clock.setTimer(() => {
    fired.push('a@10');
    clock.setTimer(() => fired.push('c@15'), 5);
  }, 10);
  clock.setTimer(() => fired.push('never'), 50).cancel();
  clock.advance(30);
  t.deepEqual(fired, ['a@10', 'c@15', 'b@20']);
  t.is(clock.now().getTime(), 30);
  t.is(clock.pendingTimers(), 0);
  const ac = new AbortController();
  const slept = sleepOn(clock, 1000, ac.signal);
  ac.abort();
  await slept;
  t.pass();
});

test('health and metrics endpoints answer over HTTP', async (t) => {
  let ready = false;
  const metrics = new ServerMetrics({ defaultMetrics: false });
  metrics.backupStarted('daily');
  metrics.backupFinished('Completed', { schedule: 'daily', durationSeconds: 12, items: 40 });
  const ep = await serveHttp({
    host: '127.0.0.1',
    port: 0,
    routes: {
      ...healthRoutes({ live: () => ({ ok: true }), ready: () => (ready ? { ok: true } : { ok: false, reason: 'informers not synced' }) }),
      ...metricsRoutes(metrics),
    },
    log: silentLogger(),
  });
  try {
    t.is((await fetch(`${ep.url}/healthz`)).status, 200);
    const notReady = await fetch(`${ep.url}/readyz`);
    t.is(notReady.status, 503);
    t.is((await notReady.text()).trim(), 'informers not synced');
    ready = true;
    t.is((await fetch(`${ep.url}/readyz`)).status, 200);
    t.is((await fetch(`${ep.url}/nope`)).status, 404);
    t.is((await fetch(`${ep.url}/healthz`, { method: 'POST' })).status, 405);
    const m = await fetch(`${ep.url}/metrics`);
    t.regex(m.headers.get('content-type') ?? '', /text\/plain/);
    const body = await m.text();
    t.regex(body, /skiff_backup_attempt_total\{schedule="daily"\} 1/);
    t.regex(body, /skiff_backup_total\{schedule="daily",phase="Completed"\} 1/);
    t.regex(body, /skiff_backup_items_total\{schedule="daily"\} 40/);
  } finally {
    await ep.close();
  }
});

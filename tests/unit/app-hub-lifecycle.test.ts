// The embedded hub's supervisor, with a fake hub process and a hand-driven clock.
import { describe, expect, it } from 'vitest';
import {
  describeHubStatus, HEALTHY_RUN_MS, HubSupervisor, isHubChildMessage, MAX_ATTEMPTS, READY_TIMEOUT_MS, restartDelay, STOP_TIMEOUT_MS,
} from '../../main/app/hub-lifecycle';
import type { HubChild, HubChildMessage, HubLaunch, HubStatus } from '../../main/app/hub-lifecycle';

class Clock {
  t = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.next++;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  };
  clearTimeout = (h: unknown) => void this.timers.delete(h as number);
  now = () => this.t;
  advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers].filter(([, x]) => x.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
  }
}

class FakeHub implements HubChild {
  stopAsked = false;
  killed = false;
  private msg: ((m: HubChildMessage) => void)[] = [];
  private exit: ((code: number) => void)[] = [];
  constructor(readonly launch: HubLaunch) {}
  onMessage(l: (m: HubChildMessage) => void) { this.msg.push(l); }
  onExit(l: (code: number) => void) { this.exit.push(l); }
  stop() { this.stopAsked = true; }
  kill() { this.killed = true; this.exited(137); }
  post(m: HubChildMessage) { for (const l of this.msg) l(m); }
  ready(port = 41000) { this.post({ type: 'ready', url: `http://127.0.0.1:${port}`, port }); }
  exited(code: number) { for (const l of [...this.exit]) l(code); }
}

function setup() {
  const clock = new Clock();
  const hubs: FakeHub[] = [];
  const statuses: HubStatus[] = [];
  const sup = new HubSupervisor({
    spawn: (l) => {
      const h = new FakeHub(l);
      hubs.push(h);
      return h;
    },
    launch: { dataDir: '/data/demo', demo: true, port: 0, rendererDir: '/app/dist/renderer' },
    timers: clock,
    onStatus: (s) => statuses.push(s),
    log: () => undefined,
  });
  const last = () => hubs.at(-1) as FakeHub;
  return { clock, hubs, statuses, sup, last };
}

describe('restartDelay', () => {
  it('doubles from half a second and stops growing at 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(restartDelay)).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
});

describe('HubSupervisor', () => {
  it('starts the hub and reports where it listens', () => {
    const { sup, last, statuses } = setup();
    sup.start();
    expect(last().launch).toEqual({ dataDir: '/data/demo', demo: true, port: 0, rendererDir: '/app/dist/renderer' });
    last().ready(41000);
    expect(statuses).toEqual([{ state: 'starting' }, { state: 'running', url: 'http://127.0.0.1:41000' }]);
  });

  it('restarts a hub that died, on the same port, after a backoff', () => {
    const { sup, last, hubs, clock } = setup();
    sup.start();
    last().ready(41000);
    last().exited(1);
    expect(sup.current).toEqual({ state: 'restarting', attempt: 1, delayMs: 500, reason: 'the hub stopped unexpectedly (exit code 1)' });
    clock.advance(499);
    expect(hubs).toHaveLength(1);
    clock.advance(1);
    expect(hubs).toHaveLength(2);
    expect(last().launch.port).toBe(41000);
    last().ready(41000);
    expect(sup.current).toEqual({ state: 'running', url: 'http://127.0.0.1:41000' });
  });

  it('gives up after repeated failed starts and says why in words; retry starts afresh', () => {
    const { sup, last, hubs, clock } = setup();
    sup.start();
    for (let i = 1; i <= MAX_ATTEMPTS; i++) {
      last().post({ type: 'failed', reason: 'data directory /data/demo is not writable' });
      last().exited(1);
      clock.advance(restartDelay(i));
    }
    expect(hubs).toHaveLength(MAX_ATTEMPTS);
    expect(sup.current).toEqual({ state: 'failed', reason: 'data directory /data/demo is not writable' });
    const words = describeHubStatus(sup.current);
    expect(words.en).toBe('The hub could not be started: data directory /data/demo is not writable.');
    expect(words.zh).toContain('中枢无法启动');
    sup.retry();
    expect(hubs).toHaveLength(MAX_ATTEMPTS + 1);
  });

  it('forgives failures of a hub that had been running well', () => {
    const { sup, last, clock } = setup();
    sup.start();
    for (let i = 1; i <= 3; i++) {
      last().exited(1);
      clock.advance(restartDelay(i));
    }
    expect(sup.current).toEqual({ state: 'starting' });
    last().ready();
    clock.advance(HEALTHY_RUN_MS);
    last().exited(1);
    expect(sup.current).toMatchObject({ state: 'restarting', attempt: 1 });
  });

  it('kills and restarts a hub that never says it is ready', () => {
    const { sup, hubs, clock } = setup();
    sup.start();
    clock.advance(READY_TIMEOUT_MS);
    expect(hubs[0]?.killed).toBe(true);
    expect(sup.current).toMatchObject({ state: 'restarting', reason: 'the hub did not start within 30 s' });
  });

  it('stops cleanly on quit and does not restart what it stopped', async () => {
    const { sup, last, hubs, clock } = setup();
    sup.start();
    last().ready();
    const stopped = sup.stop();
    expect(last().stopAsked).toBe(true);
    last().exited(0);
    await stopped;
    clock.advance(120_000);
    expect(hubs).toHaveLength(1);
    expect(sup.current).toEqual({ state: 'stopped' });
  });

  it('kills a hub that does not stop in time', async () => {
    const { sup, last, clock } = setup();
    sup.start();
    last().ready();
    const stopped = sup.stop();
    clock.advance(STOP_TIMEOUT_MS);
    await stopped;
    expect(last().killed).toBe(true);
  });

  it('stops a pending restart when asked to quit', async () => {
    const { sup, last, hubs, clock } = setup();
    sup.start();
    last().exited(1);
    await sup.stop();
    clock.advance(60_000);
    expect(hubs).toHaveLength(1);
  });
});

describe('messages from the hub process', () => {
  it('are recognised only in their known shapes', () => {
    expect(isHubChildMessage({ type: 'ready', url: 'http://127.0.0.1:1', port: 1 })).toBe(true);
    expect(isHubChildMessage({ type: 'ready', url: 'http://127.0.0.1:1' })).toBe(false);
    expect(isHubChildMessage({ type: 'failed', reason: 'x' })).toBe(true);
    expect(isHubChildMessage({ type: 'exec', cmd: 'rm' })).toBe(false);
    expect(isHubChildMessage(null)).toBe(false);
  });

  it('restarting is explained with the reason, the wait and the attempt', () => {
    expect(describeHubStatus({ state: 'restarting', attempt: 2, delayMs: 1000, reason: 'out of memory' }).en)
      .toBe(`The hub stopped: out of memory. Restarting in 1 s (attempt 2 of ${MAX_ATTEMPTS - 1}).`);
  });
});

// Reconnect storm (issue 16): many consoles follow the event stream while a writer keeps changing the city;
// the hub is stopped and a new one started on the same store and port, and every console reconnects at
// once (socket.io's own reconnection, on its session token) and resyncs with `events:since` while the
// writer goes on. Every console must end with every seq from its first to the head, none skipped, none
// out of order. Figures (time until all resynced, handshake p50/p99) are printed, not asserted.
import os from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { ask, askPatiently, cid, consoleClient, NANJING, startTestHub, tempDir, untilReached } from './hub-fixture';
import { generateSecret } from '../../main/hub/auth';
import { DeviceGroup } from './storm-devices';
import { insertDevice } from '../../main/store/people';
import type { Hub } from '../../main/hub/server';
import type { HubEvent } from '../../shared/protocol/events';

// 100 in npm test; XIUHUA_STORM_CONSOLES=300 or 1000 for the larger storms. Waits fail on a stall, not on a
// deadline: on a quiet machine 300 consoles are back in 2 s, under CI load the same storm can take minutes.
const CONSOLES = Number(process.env.XIUHUA_STORM_CONSOLES ?? 100);
// Phones and terminals, each its own device with a hub-generated secret: 1,000 in npm test, XIUHUA_STORM_DEVICES=10000 for the city-sized storm.
const DEVICES = Number(process.env.XIUHUA_STORM_DEVICES ?? 1000);
/** Devices per child process (storm-devices.ts): 4 processes for the city's 10,000, 1 for npm test's 1,000. */
const DEVICES_PER_PROCESS = 2_500;
// One account for every console here: its budget is raised so that the storm is about resync, not throttling.
const LIMITS = { console: { perIdentity: 100_000 } };

type Follower = {
  socket: Socket; last: number; first: number; resumes: number; gaps: number; outOfOrder: number; readyAt: number[];
  /** a resume (events:since) is under way; live events meanwhile wait in `held` */
  busy: boolean; held: HubEvent[];
};

/** The p-quantile of ascending `sorted` (p = 1: the last). */
const quantile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

const opened: Socket[] = [];
let groups: DeviceGroup[] = [];
afterAll(() => {
  for (const s of opened) s.disconnect();
});

/**
 * A console as the real one works: it applies events in seq order; on a gap or a (re)connect it asks for
 * what it missed, and holds the live events that arrive meanwhile to apply after the page, so that one
 * resume per reconnect is enough (dropping them would make a busy hub's every event a new gap).
 */
function follow(url: string, token: string, startSeq: number): Follower {
  const socket = io(`${url}/console`, { auth: { token }, transports: ['websocket'], forceNew: true, reconnectionDelay: 200, reconnectionDelayMax: 2000 });
  opened.push(socket);
  const f: Follower = { socket, last: startSeq, first: startSeq + 1, resumes: 0, gaps: 0, outOfOrder: 0, readyAt: [], busy: false, held: [] };
  /** Applies what follows on from `last`; false at a gap. */
  const applyInOrder = (e: HubEvent): boolean => {
    if (e.seq <= f.last) return true; // seen already (live and in a page)
    if (e.seq !== f.last + 1) return false;
    f.last = e.seq;
    return true;
  };
  const apply = (e: HubEvent) => {
    if (f.busy) f.held.push(e);
    else if (!applyInOrder(e)) {
      f.gaps++;
      void catchUp();
    }
  };
  const catchUp = async () => {
    if (f.busy) return;
    f.busy = true;
    try {
      for (let again = true; again;) {
        const res = await askPatiently(socket, 'events:since', { afterSeq: f.last });
        if (!res.ok) throw new Error(res.error?.message);
        for (const e of res.result.events as HubEvent[]) {
          if (e.seq <= f.last) continue; // live events may have moved on while the page was asked for
          if (e.seq !== f.last + 1) f.outOfOrder++; // a page with a hole in it: the hub lost or skipped one
          f.last = e.seq;
        }
        // The held live events, in order; one that does not follow on means the page ended before it.
        again = res.result.more;
        if (!again) {
          const held = f.held.splice(0).sort((a, b) => a.seq - b.seq);
          again = !held.every(applyInOrder);
        }
      }
    } catch {
      // the connection dropped mid-resume; the next session:ready asks again
    } finally {
      f.held = [];
      f.busy = false;
    }
  };
  socket.on('event', apply);
  socket.on('session:ready', () => {
    f.readyAt.push(Date.now());
    f.resumes++;
    void catchUp();
  });
  return f;
}

describe('reconnect storm', () => {
  let hub: (Hub & { dataDir: string }) | undefined;
  afterAll(async () => {
    await Promise.all(groups.map((g) => g.close())); // before the hub, or its devices reconnect into the close
    await hub?.close();
    // 10,000 devices take more than vitest's default minute to close (3 Dec, quiet machine: the storm passed, the close timed out).
  }, 300_000);

  it(`${CONSOLES} consoles reconnect at once after a hub restart and resync with no gap while commands go on`, async () => {
    const dataDir = tempDir('xiuhua-storm-');
    hub = await startTestHub({ dataDir, limits: LIMITS });
    const port = hub.port;
    const { ready } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
    const followers = Array.from({ length: CONSOLES }, () => follow(hub!.url, ready.token, ready.headSeq));
    await untilReached(() => followers.filter((f) => f.resumes > 0).length, CONSOLES, 'consoles connected');

    // A writer changes the city before, across and after the restart.
    let writing = true;
    let written = 0;
    const writerLoop = async () => {
      while (writing) {
        try {
          const { socket } = await consoleClient(`http://127.0.0.1:${port}`, { username: 'manager', password: 'demo' });
          while (writing && socket.connected) {
            const res = await ask(socket, 'incident:create', { commandId: cid(), category: 'parking', priority: 2, position: NANJING, description: 'storm' }, 10_000).catch(() => null);
            if (res?.ok) written++;
          }
          socket.disconnect();
        } catch {
          await new Promise((r) => setTimeout(r, 100)); // the hub is restarting
        }
      }
    };
    const writer = writerLoop();
    await untilReached(() => written, 21, 'commands written before the restart');

    await hub.close();
    const restartedAt = Date.now();
    hub = await startTestHub({ dataDir, port, limits: LIMITS });
    const listeningAt = Date.now();
    await untilReached(() => followers.filter((f) => f.resumes > 1).length, CONSOLES, 'consoles back after the restart');
    const before = written;
    await untilReached(() => written, before + 21, 'commands written after the restart');
    writing = false;
    await writer;
    const head = (hub.db.prepare('SELECT max(seq) FROM events').pluck().get() as number);
    await untilReached(() => followers.filter((f) => f.last === head).length, CONSOLES, 'consoles resynced to the head');
    const allResyncedAt = Date.now();

    expect(followers.filter((f) => f.outOfOrder > 0)).toHaveLength(0);
    const handshakes = followers.map((f) => f.readyAt[1]! - listeningAt).sort((a, b) => a - b);
    const q = (p: number) => quantile(handshakes, p);
    console.log(`reconnect storm: ${CONSOLES} consoles, hub down ${listeningAt - restartedAt} ms; all back (session:ready) p50 ${q(0.5)} ms, p99 ${q(0.99)} ms after it listened; `
      + `all resynced to head ${head} ${allResyncedAt - listeningAt} ms after it listened (incl. the writer's last commands); ${written} commands written, `
      + `${followers.reduce((a, f) => a + f.gaps, 0)} live gaps filled by events:since`);
  }, 600_000);

  it(`${DEVICES} field devices reconnect at once after a hub restart`, async () => {
    const dataDir = tempDir('xiuhua-storm-devices-');
    hub = await startTestHub({ dataDir });
    const port = hub.port;
    const units = hub.db.prepare("SELECT id FROM units WHERE kind = 'officer'").pluck().all() as string[];
    const devices = Array.from({ length: DEVICES }, (_, i) => ({ id: `phone-${i}`, unitId: units[i % units.length]!, ...generateSecret() }));
    hub.db.transaction(() => {
      for (const d of devices) insertDevice(hub!.db, { id: d.id, secretHash: d.hash, kind: 'terminal', unitId: d.unitId, at: Date.now() });
    })();
    // The devices live in child processes of their own, DEVICES_PER_PROCESS each: this process holds only
    // the hub's side of their connections (its open files, 20,000 here, would not hold both sides of 10,000).
    const procs = Math.ceil(DEVICES / DEVICES_PER_PROCESS);
    const share = Math.ceil(DEVICES / procs);
    const startedAt = Date.now();
    groups = Array.from({ length: procs }, (_, k) => DeviceGroup.start(`http://127.0.0.1:${port}`,
      devices.slice(k * share, (k + 1) * share).map((d) => ({ id: d.id, secret: d.secret }))));
    const count = (key: 'ready1' | 'ready2') => () => {
      const ended = groups.find((g) => g.exited() !== undefined);
      if (ended) throw new Error(`a device process exited (${ended.exited()})`);
      return groups.reduce((n, g) => n + g.progress[key], 0);
    };
    const errors = () => {
      const all: Record<string, number> = {};
      for (const g of groups) for (const [m, n] of Object.entries(g.progress.errors)) all[m] = (all[m] ?? 0) + n;
      return JSON.stringify(all);
    };
    await untilReached(count('ready1'), DEVICES, 'devices connected');
    const connectedIn = Date.now() - startedAt;

    await hub.close();
    const restartedAt = Date.now();
    hub = await startTestHub({ dataDir, port });
    const listeningAt = Date.now();
    await untilReached(count('ready2'), DEVICES, `devices back after the restart (connect errors so far: ${errors()})`);
    const allBackAt = Date.now();
    const readyAt = (await Promise.all(groups.map((g) => g.report()))).flat();
    expect(readyAt).toHaveLength(DEVICES);
    const handshakes = readyAt.map((r) => r[1]! - listeningAt).sort((a, b) => a - b);
    const q = (p: number) => quantile(handshakes, p);
    // Every one of them is a device of its own in the record: a session begun, ended by the restart, begun again.
    const begun = hub.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'session:device' AND actor LIKE 'phone-%'").pluck().get() as number;
    expect(begun).toBeGreaterThanOrEqual(2 * DEVICES);
    console.log(`reconnect storm: ${DEVICES} field devices (own secrets, ${procs} device processes) first connected in ${connectedIn} ms; hub down ${listeningAt - restartedAt} ms; `
      + `after the restart all back (session:ready) in ${allBackAt - listeningAt} ms after it listened: handshake p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, last ${q(1)} ms; `
      + `connect errors ${errors()}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  }, 900_000);
});

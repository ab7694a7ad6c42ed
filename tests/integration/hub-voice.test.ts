// Push-to-talk on a real hub (port 0, SQLite in a temp dir) with real socket.io clients: floor control,
// scopes enforced by the hub, signalling relayed only within a talk, the talk limit, and recordings
// stored with their SHA-256 in the audit log, once however often the upload is retried.
import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type { VoiceFloor, VoiceSignalEvent } from '../../shared/protocol/voice';
import { generateSecret } from '../../main/hub/auth';
import { VoiceConfig } from '../../main/hub/voice/config';
import { auditPage } from '../../main/store/audit';
import { insertDevice } from '../../main/store/people';
import type { Hub } from '../../main/hub/server';
import { ask, cid, closeClients, consoleClient, fieldClient, startTestHub } from './hub-fixture';

let hub: Hub & { dataDir: string };
/** phone A's unit and phone B's unit are in different cells; the same area channel never holds both. */
const phones: Record<'a' | 'b', { id: string; secret: string; unitId: string; cellId: string }> = {} as never;

beforeAll(async () => {
  hub = await startTestHub({ voice: { iceServers: [], talkLimitSec: 60, maxRecordingBytes: 4096 } });
  const units = hub.db.prepare("SELECT id, cell_id AS cellId FROM units WHERE cell_id IS NOT NULL AND status != 'off_duty' ORDER BY id").all() as { id: string; cellId: string }[];
  const a = units[0]!;
  const b = units.find((u) => u.cellId !== a.cellId)!;
  for (const [key, unit] of [['a', a], ['b', b]] as const) {
    const s = generateSecret();
    insertDevice(hub.db, { id: `phone-${key}`, secretHash: s.hash, kind: 'terminal', unitId: unit.id, at: Date.now() });
    phones[key] = { id: `phone-${key}`, secret: s.secret, unitId: unit.id, cellId: unit.cellId };
  }
});
afterAll(async () => {
  closeClients();
  await hub.close();
});

/** Everything a client hears on voice, in order. */
function listen(socket: Socket) {
  const floors: VoiceFloor[] = [];
  const signals: VoiceSignalEvent[] = [];
  socket.on('voice:floor', (f: VoiceFloor) => floors.push(f));
  socket.on('voice:signal', (s: VoiceSignalEvent) => signals.push(s));
  return { floors, signals };
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

async function joined(socket: Socket): Promise<string> {
  const res = await ask(socket, 'voice:join', {});
  expect(res.ok, res.error?.message).toBe(true);
  return res.result.peerId as string;
}

const phone = (key: 'a' | 'b') => fieldClient(hub.url, { deviceId: phones[key].id, secret: phones[key].secret });
/** The audit entries of one action, as the store reads them back (auditPage decodes the stored bytes). */
const audited = (action: string) => auditPage(hub.db, 0, 100_000).filter((e) => e.action === action);

describe('floor control', () => {
  it('one talker at a time per channel, shown to everyone on it, and only to them', async () => {
    const { socket: operator } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
    const { socket: manager } = await consoleClient(hub.url, { username: 'manager', password: 'demo' });
    const a = await phone('a');
    const b = await phone('b');
    const heard = { operator: listen(operator), manager: listen(manager), a: listen(a), b: listen(b) };
    const [opPeer, , aPeer, bPeer] = [await joined(operator), await joined(manager), await joined(a), await joined(b)];

    const talk = await ask(operator, 'voice:talk', { channel: `unit:${phones.a.unitId}` });
    expect(talk.ok, talk.error?.message).toBe(true);
    // The hub tells the talker whom to call: the rest of the center and phone A, never phone B.
    const listeners = (talk.result.listeners as { peerId: string }[]).map((l) => l.peerId);
    expect(listeners).toContain(aPeer);
    expect(listeners).not.toContain(bPeer);
    expect(listeners).not.toContain(opPeer);
    await until('phone A and the manager see the floor taken', () => heard.a.floors.length > 0 && heard.manager.floors.length > 0);
    expect(heard.a.floors[0]!.talk?.talker.actor).toBe('operator');

    // The floor is held: the manager and the phone itself wait.
    const busy = await ask(manager, 'voice:talk', { channel: `unit:${phones.a.unitId}` });
    expect(busy.error?.code).toBe('conflict');
    const busyPhone = await ask(a, 'voice:talk', { channel: `unit:${phones.a.unitId}` });
    expect(busyPhone.error?.code).toBe('conflict');

    // Signalling goes between the talker and its listeners, and nowhere else.
    const offer = await ask(operator, 'voice:signal', { to: aPeer, talkId: talk.result.talkId, signal: { type: 'offer', sdp: 'v=0 fake' } });
    expect(offer.ok, offer.error?.message).toBe(true);
    await until('phone A gets the offer', () => heard.a.signals.length > 0);
    expect(heard.a.signals[0]).toMatchObject({ from: opPeer, talkId: talk.result.talkId, signal: { type: 'offer' } });
    const answer = await ask(a, 'voice:signal', { to: opPeer, talkId: talk.result.talkId, signal: { type: 'answer', sdp: 'v=0 fake' } });
    expect(answer.ok).toBe(true);
    await until('the operator gets the answer', () => heard.operator.signals.length > 0);
    const toB = await ask(operator, 'voice:signal', { to: bPeer, talkId: talk.result.talkId, signal: { type: 'offer', sdp: 'v=0' } });
    expect(toB.error?.code).toBe('forbidden');
    const fromB = await ask(b, 'voice:signal', { to: opPeer, talkId: talk.result.talkId, signal: { type: 'answer', sdp: 'v=0' } });
    expect(fromB.error?.code).toBe('forbidden');

    const released = await ask(operator, 'voice:release', { talkId: talk.result.talkId });
    expect(released.result).toEqual({ ended: true });
    await until('phone A sees the floor free', () => heard.a.floors.some((f) => f.talk === null));
    expect(heard.a.floors.at(-1)).toMatchObject({ channel: `unit:${phones.a.unitId}`, talk: null, reason: 'released' });
    // Phone B was on none of it.
    expect(heard.b.floors).toEqual([]);
    expect(heard.b.signals).toEqual([]);
    // Free again: now the phone may talk to the center.
    const back = await ask(a, 'voice:talk', { channel: `unit:${phones.a.unitId}` });
    expect(back.ok, back.error?.message).toBe(true);
    expect((back.result.listeners as { peerId: string }[]).map((l) => l.peerId)).toContain(opPeer);
    await ask(a, 'voice:release', { talkId: back.result.talkId });
    closeClients();
  });

  it('an area channel reaches every unit of the area; a talk on it is heard by phone A, not phone B', async () => {
    const { socket: operator } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
    const a = await phone('a');
    const b = await phone('b');
    const [aPeer, bPeer] = [await joined(a), await joined(b)];
    await joined(operator);
    const talk = await ask(operator, 'voice:talk', { channel: `area:${phones.a.cellId}` });
    expect(talk.ok, talk.error?.message).toBe(true);
    const listeners = (talk.result.listeners as { peerId: string }[]).map((l) => l.peerId);
    expect(listeners).toContain(aPeer);
    expect(listeners).not.toContain(bPeer);
    const all = await ask(operator, 'voice:talk', { channel: 'all' });
    expect(all.ok, all.error?.message).toBe(true);
    expect((all.result.listeners as { peerId: string }[]).map((l) => l.peerId)).toEqual(expect.arrayContaining([aPeer, bPeer]));
    expect((await ask(operator, 'voice:talk', { channel: 'area:no-such-area' })).error?.code).toBe('not_found');
    closeClients();
  });
});

describe('scopes', () => {
  it('a field device cannot open a channel it is not scoped to, and the refusal is audited', async () => {
    const a = await phone('a');
    await joined(a);
    for (const channel of [`unit:${phones.b.unitId}`, 'all', `area:${phones.a.cellId}`]) {
      const res = await ask(a, 'voice:talk', { channel });
      expect(res.error?.code, channel).toBe('forbidden');
    }
    const refusals = audited('voice:talk').filter((e) => e.outcome === 'rejected' && e.actor === 'phone-a' && e.reason?.startsWith('forbidden'));
    expect(refusals.length).toBeGreaterThanOrEqual(3);
    // Without joining, no floor at all.
    const unjoined = await phone('b');
    expect((await ask(unjoined, 'voice:talk', { channel: `unit:${phones.b.unitId}` })).error?.code).toBe('conflict');
    // The demo gateway speaks for everyone, so it is no one's radio: it may join and hears nothing, talks nowhere.
    const gateway = await fieldClient(hub.url);
    await joined(gateway);
    expect((await ask(gateway, 'voice:talk', { channel: `unit:${phones.a.unitId}` })).error?.code).toBe('forbidden');
    closeClients();
  });

  it('an evaluator may read the talks but not take the floor', async () => {
    const { socket } = await consoleClient(hub.url, { username: 'evaluator', password: 'demo' });
    expect((await ask(socket, 'voice:join', {})).error?.code).toBe('forbidden');
    expect((await ask(socket, 'voice:talks', {})).ok).toBe(true);
    closeClients();
  });
});

describe('the talk limit', () => {
  it('a talk longer than the limit is cut, with the reason shown to everyone on the channel', async () => {
    const short = await startTestHub({ voice: { iceServers: [], talkLimitSec: 1, maxRecordingBytes: 4096 } });
    try {
      const { socket: operator } = await consoleClient(short.url, { username: 'operator', password: 'demo' });
      const s = generateSecret();
      insertDevice(short.db, { id: 'phone-c', secretHash: s.hash, kind: 'terminal', unitId: phones.a.unitId, at: Date.now() });
      const c = await fieldClient(short.url, { deviceId: 'phone-c', secret: s.secret });
      const heard = { operator: listen(operator), c: listen(c) };
      await joined(operator);
      await joined(c);
      const talk = await ask(c, 'voice:talk', { channel: `unit:${phones.a.unitId}` });
      expect(talk.ok, talk.error?.message).toBe(true);
      await until('the cut', () => heard.c.floors.some((f) => f.reason === 'limit') && heard.operator.floors.some((f) => f.reason === 'limit'));
      // Cut means gone: the talker's release finds nothing left to end, and the floor is free.
      expect((await ask(c, 'voice:release', { talkId: talk.result.talkId })).result).toEqual({ ended: false });
      expect((await ask(operator, 'voice:talk', { channel: `unit:${phones.a.unitId}` })).ok).toBe(true);
    } finally {
      closeClients();
      await short.close();
    }
  });
});

describe('recordings', () => {
  it('stored in the data dir with the SHA-256 in the audit log; a retry with the same commandId is one effect', async () => {
    const a = await phone('a');
    await joined(a);
    const talk = await ask(a, 'voice:talk', { channel: `unit:${phones.a.unitId}` });
    expect(talk.ok, talk.error?.message).toBe(true);
    await ask(a, 'voice:release', { talkId: talk.result.talkId });
    const bytes = Buffer.from(`\x1aE\xdf\xa3 a webm recording ${Date.now()}`, 'latin1');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const record = {
      commandId: cid(), talkId: talk.result.talkId, channel: `unit:${phones.a.unitId}`,
      startedAt: talk.result.startedAt, endedAt: Date.now(), audio: { mime: 'audio/webm', base64: bytes.toString('base64') },
    };
    const first = await ask(a, 'voice:record', record);
    expect(first.ok, first.error?.message).toBe(true);
    expect(first.result.talk).toMatchObject({ talkId: talk.result.talkId, actor: 'phone-a', unitId: phones.a.unitId, sha256, bytes: bytes.length });
    const again = await ask(a, 'voice:record', record);
    expect(again).toEqual(first);

    expect(fs.readFileSync(path.join(hub.dataDir, 'voice', `${sha256}.webm`))).toEqual(bytes);
    expect(hub.db.prepare('SELECT COUNT(*) FROM voice_talks WHERE talk_id = ?').pluck().get(talk.result.talkId)).toBe(1);
    const entries = audited('voice:record').filter((e) => e.outcome === 'accepted' && e.target === talk.result.talkId);
    expect(entries).toHaveLength(1);
    const payload = entries[0]!.payload as { audio: unknown; detail: unknown };
    expect(payload.audio).toEqual({ mime: 'audio/webm', bytes: bytes.length, sha256 });
    expect(payload.detail).toMatchObject({ channel: `unit:${phones.a.unitId}`, sha256, ended: 'released' });
    expect(JSON.stringify(entries[0]!.payload)).not.toContain(bytes.toString('base64'));

    const { socket: evaluator } = await consoleClient(hub.url, { username: 'evaluator', password: 'demo' });
    const listed = await ask(evaluator, 'voice:talks', { unitId: phones.a.unitId });
    expect(listed.result.talks.map((t: { talkId: string }) => t.talkId)).toContain(talk.result.talkId);
    const audio = await ask(evaluator, 'voice:audio', { talkId: talk.result.talkId });
    expect(audio.result).toMatchObject({ sha256, base64: bytes.toString('base64') });
    closeClients();
  });

  it('refuses a recording on another unit\'s channel, someone else\'s talk, or over the size limit', async () => {
    const a = await phone('a');
    const b = await phone('b');
    await joined(a);
    const talk = await ask(a, 'voice:talk', { channel: `unit:${phones.a.unitId}` });
    await ask(a, 'voice:release', { talkId: talk.result.talkId });
    const base = { talkId: talk.result.talkId, startedAt: talk.result.startedAt, endedAt: Date.now(), audio: { mime: 'audio/webm', base64: 'AAAA' } };
    expect((await ask(a, 'voice:record', { ...base, commandId: cid(), channel: `unit:${phones.b.unitId}` })).error?.code).toBe('forbidden');
    expect((await ask(b, 'voice:record', { ...base, commandId: cid(), channel: `unit:${phones.b.unitId}` })).error?.code).toBe('forbidden');
    const big = Buffer.alloc(5000, 1).toString('base64');
    expect((await ask(a, 'voice:record', { ...base, commandId: cid(), channel: `unit:${phones.a.unitId}`, audio: { mime: 'audio/webm', base64: big } })).error?.code).toBe('invalid_payload');
    expect(hub.db.prepare('SELECT COUNT(*) FROM voice_talks WHERE talk_id = ?').pluck().get(talk.result.talkId)).toBe(0);
    closeClients();
  });
});

describe('TURN credentials', () => {
  it('each client gets its own time-limited TURN login (coturn use-auth-secret), never the secret', async () => {
    const secret = 'a-long-shared-secret';
    const turnHub = await startTestHub({ voice: VoiceConfig.parse({ turn: { urls: 'turn:turn.example.org:3478', secret } }) });
    try {
      const { socket } = await consoleClient(turnHub.url, { username: 'operator', password: 'demo' });
      const res = await ask(socket, 'voice:join', {});
      const turn = (res.result.iceServers as { urls: string; username: string; credential: string }[]).find((s) => s.urls === 'turn:turn.example.org:3478')!;
      const [expiry, who] = turn.username.split(':');
      expect(who).toBe('operator');
      expect(Number(expiry) * 1000).toBeGreaterThan(Date.now());
      expect(turn.credential).toBe(createHmac('sha1', secret).update(turn.username).digest('base64'));
      expect(JSON.stringify(res.result)).not.toContain(secret);
    } finally {
      closeClients();
      await turnHub.close();
    }
  });
});

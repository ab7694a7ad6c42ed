// The voice events as tables, like the hub's commands and requests: a name, a zod schema, the roles,
// a handler. Peer events (join, talk, release, signal) need the connection they came on, so their
// context carries the peer; the reads (talks, audio) are ordinary console requests.
import fs from 'node:fs';
import path from 'node:path';
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { Role } from '../../../shared/domain';
import {
  VoiceAudioRequest, VoiceJoinRequest, VoiceReleaseRequest, VoiceSignalRequest, VoiceTalkRequest, VoiceTalksRequest,
  type VoiceAudioResult, type VoiceJoinResult, type VoiceTalkRecord, type VoiceTalkResult,
} from '../../../shared/protocol/voice';
import { findUnit, listAreas } from '../../store/city';
import { findVoiceTalk, listVoiceTalks } from '../../store/voice';
import type { Ack } from '../../../shared/protocol/commands';
import { CommandFailure, refuse, type Actor } from '../commands';
import { answerRequest, type RequestContext, type RequestDef, type RequestTable } from '../requests';
import type { HubServices } from '../services';
import type { DispatchDeps } from '../transport/dispatch';
import { CENTER_ROLES, unitAreas, type Membership } from './channels';
import type { VoiceHub, VoicePeer } from './floor';
import { VOICE_TALKERS, voiceRecordCommand } from './record';

type PeerCtx = { voice: VoiceHub; peerId: string; /** the peer as it joins: membership and how to reach it */ join: () => VoicePeer };
type PeerDef<S extends z.ZodType, R> = RequestDef<S, R, PeerCtx>;

/** A refusal thrown by the voice hub (a scope, a busy floor) is audited like any refused command. */
function answering<R>(ctx: RequestContext<PeerCtx>, action: string, req: unknown, fn: () => R): Ack<R> {
  try {
    return { ok: true, result: fn() };
  } catch (e) {
    if (!(e instanceof CommandFailure)) throw e;
    const error = { code: e.code, message: e.message };
    return ctx.refuse ? ctx.refuse(ctx.actor, action, req, error, ctx.now) : refuse(ctx.db, ctx.actor, action, req, error, ctx.now);
  }
}

const join: PeerDef<typeof VoiceJoinRequest, VoiceJoinResult> = {
  name: 'voice:join', schema: VoiceJoinRequest, roles: VOICE_TALKERS,
  handle: ({ services }) => ({ ok: true, result: services.voice.join(services.join()) }),
};
const talk: PeerDef<typeof VoiceTalkRequest, VoiceTalkResult> = {
  name: 'voice:talk', schema: VoiceTalkRequest, roles: VOICE_TALKERS,
  handle: (ctx, req) => answering(ctx, 'voice:talk', req, () => ctx.services.voice.talk(ctx.services.peerId, req.channel)),
};
const release: PeerDef<typeof VoiceReleaseRequest, { ended: boolean }> = {
  name: 'voice:release', schema: VoiceReleaseRequest, roles: VOICE_TALKERS,
  handle: (ctx, req) => answering(ctx, 'voice:release', req, () => ctx.services.voice.release(ctx.services.peerId, req.talkId)),
};
const signal: PeerDef<typeof VoiceSignalRequest, { relayed: true }> = {
  name: 'voice:signal', schema: VoiceSignalRequest, roles: VOICE_TALKERS,
  handle: (ctx, req) => answering(ctx, 'voice:signal', req, () => ctx.services.voice.signal(ctx.services.peerId, req.to, req.talkId, req.signal)),
};
export const voicePeerEvents: RequestTable<PeerCtx> = { 'voice:join': join, 'voice:talk': talk, 'voice:release': release, 'voice:signal': signal };

const PEOPLE: readonly Role[] = ['operator', 'duty_manager', 'evaluator', 'admin'];
/** Reads of the record of talks: anyone who reads the record (like photos). */
export const voiceReads: RequestTable<HubServices> = {
  'voice:talks': {
    name: 'voice:talks', schema: VoiceTalksRequest, roles: PEOPLE,
    handle: ({ db }, req: z.output<typeof VoiceTalksRequest>) =>
      ({ ok: true as const, result: { talks: listVoiceTalks(db, { channel: req.channel, unitId: req.unitId, limit: req.limit ?? 50 }) as VoiceTalkRecord[] } }),
  },
  'voice:audio': {
    name: 'voice:audio', schema: VoiceAudioRequest, roles: PEOPLE,
    handle: ({ db, services }, req: z.output<typeof VoiceAudioRequest>) => {
      const talk = findVoiceTalk(db, req.talkId);
      if (!talk) return { ok: false as const, error: { code: 'not_found' as const, message: `no recording of talk ${req.talkId}` } };
      const bytes = fs.readFileSync(path.join(services.voice.dataDir, talk.file));
      const result: VoiceAudioResult = { talkId: talk.talkId, mime: talk.mime, base64: bytes.toString('base64'), sha256: talk.sha256 };
      return { ok: true as const, result };
    },
  },
};

/** Every voice event each namespace serves (the auth matrix and the bad-input test read these). */
export const VOICE_EVENTS = {
  console: [...Object.keys(voicePeerEvents), 'voice:record', ...Object.keys(voiceReads)],
  field: [...Object.keys(voicePeerEvents), 'voice:record'],
};

function membershipOf(deps: DispatchDeps, actor: Actor): Membership {
  if (actor.role !== 'device') return CENTER_ROLES.includes(actor.role) ? { center: true } : { center: false, unitId: null, areas: new Set() };
  const units = actor.unitIds;
  const unit = units !== 'any' && units?.length === 1 ? findUnit(deps.db, units[0]!) : undefined;
  if (!unit) return { center: false, unitId: null, areas: new Set() }; // a gateway is no one's radio
  return { center: false, unitId: unit.id, areas: unitAreas(unit, listAreas(deps.db)) };
}

/** Binds the voice events of one connection (either namespace) through the guard, and leaves voice when it ends. */
export function bindVoice(deps: DispatchDeps, socket: Socket, actor: () => Actor, nsp: 'console' | 'field'): void {
  const voice = deps.services.voice;
  const peerId = `${nsp === 'console' ? 'c' : 'f'}-${socket.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const ctx: PeerCtx = {
    voice, peerId,
    join: () => ({ peerId, actor: actor(), membership: membershipOf(deps, actor()), send: (event, ...args) => socket.emit(event, ...args) }),
  };
  for (const def of Object.values(voicePeerEvents)) {
    deps.guard.on(socket, actor, def.name, (payload, ack) => {
      ack(answerRequest(def, { db: deps.db, actor: actor(), now: Date.now(), services: ctx, refuse: deps.refuse }, payload) as never);
    });
  }
  const record = voiceRecordCommand(voice);
  deps.guard.on(socket, actor, record.name, (payload, ack) => {
    deps.commands.submit({ def: record as never, actor: actor(), raw: payload, now: Date.now(), opts: { timeZone: deps.timeZone, refuseWith: deps.refuse } }, ({ ack: res }) => ack(res));
  });
  socket.on('disconnect', () => voice.leave(peerId));
}

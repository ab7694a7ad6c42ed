// The live side of push-to-talk: the voice peers (connections that joined), the floor of each channel
// (one talker at a time, shown to everyone on it), the talk limit, and the relay of WebRTC signalling
// between a talker and the listeners of its talk. Nothing here is the record: a talk enters the record
// when its recording is stored (voice:record, one command), with the end this hub saw (let go, cut at
// the limit, connection lost). Floors are in memory; a hub restart frees them all.
import { randomBytes } from 'node:crypto';
import type {
  VoiceFloor, VoiceJoinResult, VoiceListener, VoiceServerEvents, VoiceSignal, VoiceTalker, VoiceTalkResult,
} from '../../../shared/protocol/voice';
import { CommandFailure, type Actor } from '../commands';
import { iceServersFor, type VoiceConfig } from './config';
import { checkTalk, onChannel, type Membership } from './channels';

type Send = <E extends keyof VoiceServerEvents>(event: E, ...args: Parameters<VoiceServerEvents[E]>) => void;
export type VoicePeer = { peerId: string; actor: Actor; membership: Membership; send: Send };

export type TalkState = {
  talkId: string; channel: string; talker: VoiceTalker; startedAt: number; endsBy: number;
  listeners: Set<string>; endedAt: number | null; endReason: VoiceFloor['reason'] | null; timer: NodeJS.Timeout | null;
};

/** Ended talks kept for their recordings to be matched (a recording arrives after its talk ends). */
const ENDED_KEPT = 1000;

export type VoiceHubDeps = {
  config: VoiceConfig;
  dataDir: string;
  /** is the unit on duty (the `all` channel is everyone on duty) */
  unitOnDuty: (unitId: string) => boolean;
  exists: { unit: (id: string) => boolean; area: (id: string) => boolean };
  now?: () => number;
  log: (line: string) => void;
};

export class VoiceHub {
  readonly config: VoiceConfig;
  readonly dataDir: string;
  private readonly peers = new Map<string, VoicePeer>();
  private readonly floors = new Map<string, TalkState>();
  private readonly talks = new Map<string, TalkState>();
  private readonly now: () => number;

  constructor(private readonly deps: VoiceHubDeps) {
    this.config = deps.config;
    this.dataDir = deps.dataDir;
    this.now = deps.now ?? Date.now;
  }

  join(peer: VoicePeer): VoiceJoinResult {
    this.peers.set(peer.peerId, peer);
    // Whoever joins sees the floors already held on its channels.
    for (const talk of this.floors.values()) if (this.isOn(peer, talk.channel)) peer.send('voice:floor', floorOf(talk));
    const { config } = this;
    return { peerId: peer.peerId, iceServers: iceServersFor(config, peer.actor.id, this.now()), talkLimitSec: config.talkLimitSec, maxRecordingBytes: config.maxRecordingBytes };
  }

  /** The connection ended: its talks end, and it hears nothing more. */
  leave(peerId: string): void {
    for (const talk of [...this.floors.values()]) if (talk.talker.peerId === peerId) this.end(talk, 'disconnected');
    this.peers.delete(peerId);
  }

  talk(peerId: string, channel: string): VoiceTalkResult {
    const peer = this.peerOf(peerId);
    checkTalk(peer.actor, channel, this.deps.exists);
    const held = this.floors.get(channel);
    if (held) throw new CommandFailure('conflict', `${held.talker.actor} is talking on ${channel}`);
    const startedAt = this.now();
    const listeners = [...this.peers.values()].filter((p) => p.peerId !== peerId && this.isOn(p, channel));
    const unitId = peer.membership.center ? null : peer.membership.unitId;
    const talk: TalkState = {
      talkId: `V-${randomBytes(12).toString('hex')}`, channel, startedAt, endsBy: startedAt + this.config.talkLimitSec * 1000,
      talker: { actor: peer.actor.id, role: peer.actor.role, peerId, unitId },
      listeners: new Set(listeners.map((p) => p.peerId)), endedAt: null, endReason: null, timer: null,
    };
    talk.timer = setTimeout(() => this.end(talk, 'limit'), talk.endsBy - startedAt);
    talk.timer.unref();
    this.floors.set(channel, talk);
    this.remember(talk);
    this.announce(talk);
    const heard: VoiceListener[] = listeners.map((p) => ({ peerId: p.peerId, actor: p.actor.id, unitId: p.membership.center ? null : p.membership.unitId }));
    return { talkId: talk.talkId, channel, startedAt, endsBy: talk.endsBy, listeners: heard };
  }

  release(peerId: string, talkId: string): { ended: boolean } {
    const talk = this.talks.get(talkId);
    if (!talk || talk.talker.peerId !== peerId) throw new CommandFailure('not_found', `no talk ${talkId} of this connection`);
    if (talk.endedAt !== null) return { ended: false }; // already cut or ended: the floor is not this talk's any more
    this.end(talk, 'released');
    return { ended: true };
  }

  /** Relays one offer, answer or candidate, only between the talker of a live talk and one of its listeners. */
  signal(fromPeerId: string, to: string, talkId: string, signal: VoiceSignal): { relayed: true } {
    const talk = this.talks.get(talkId);
    if (!talk || talk.endedAt !== null) throw new CommandFailure('conflict', `talk ${talkId} is not live`);
    const fromTalker = talk.talker.peerId === fromPeerId;
    const allowed = fromTalker ? talk.listeners.has(to) : talk.listeners.has(fromPeerId) && to === talk.talker.peerId;
    if (!allowed) throw new CommandFailure('forbidden', `this connection is not on talk ${talkId} with ${to}`);
    const target = this.peers.get(to);
    if (!target) throw new CommandFailure('not_found', `peer ${to} has left`);
    target.send('voice:signal', { from: fromPeerId, talkId, signal });
    return { relayed: true };
  }

  findTalk(talkId: string): TalkState | undefined {
    return this.talks.get(talkId);
  }

  close(): void {
    for (const talk of this.floors.values()) if (talk.timer) clearTimeout(talk.timer);
    this.floors.clear();
    this.peers.clear();
  }

  private end(talk: TalkState, reason: NonNullable<VoiceFloor['reason']>): void {
    if (talk.endedAt !== null) return;
    if (talk.timer) clearTimeout(talk.timer);
    talk.endedAt = this.now();
    talk.endReason = reason;
    if (this.floors.get(talk.channel) === talk) this.floors.delete(talk.channel);
    this.announce(talk);
    if (reason === 'limit') this.deps.log(`voice: ${talk.talker.actor}'s talk on ${talk.channel} was cut at the ${this.config.talkLimitSec} s limit`);
  }

  /** The floor as it is now, to everyone on the channel (the talker too). */
  private announce(talk: TalkState): void {
    const floor = talk.endedAt === null ? floorOf(talk) : { channel: talk.channel, talk: null, reason: talk.endReason ?? 'released' };
    for (const p of this.peers.values()) if (p.peerId === talk.talker.peerId || this.isOn(p, talk.channel)) p.send('voice:floor', floor);
  }

  private isOn(peer: VoicePeer, channel: string): boolean {
    return onChannel(peer.membership, channel, this.deps.unitOnDuty);
  }

  private peerOf(peerId: string): VoicePeer {
    const peer = this.peers.get(peerId);
    if (!peer) throw new CommandFailure('conflict', 'this connection has not joined voice (voice:join)');
    return peer;
  }

  private remember(talk: TalkState): void {
    this.talks.set(talk.talkId, talk);
    if (this.talks.size <= ENDED_KEPT) return;
    for (const [id, t] of this.talks) {
      if (t.endedAt !== null) {
        this.talks.delete(id);
        break;
      }
    }
  }
}

const floorOf = (talk: TalkState): VoiceFloor => ({
  channel: talk.channel, talk: { talkId: talk.talkId, talker: talk.talker, startedAt: talk.startedAt, endsBy: talk.endsBy },
});

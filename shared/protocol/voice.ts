// Push-to-talk intercom (issue 15): channels, floor control, WebRTC signalling relayed by the hub, and
// the recordings of talks kept as evidence. Audio itself goes peer to peer (WebRTC); the hub only
// decides who may talk to whom, relays the offers/answers/ICE candidates, and stores the recordings.
import { z } from 'zod';
import { CommandId, type Ack } from './commands';

/** A channel: one unit (`unit:<id>`), every unit of an area (`area:<id>`: its cell, post or district), or all on duty (`all`). The center is on every channel. */
export const VoiceChannel = z.string().max(70).regex(/^(all|unit:[A-Za-z0-9_.:-]{1,64}|area:[A-Za-z0-9_.:-]{1,64})$/, 'a channel is all, unit:<id> or area:<id>');
export type VoiceChannel = z.infer<typeof VoiceChannel>;
export const PeerId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);
export const TalkId = z.string().regex(/^V-[0-9a-f]{24}$/, 'a talk id is V- and 24 hex digits');

/** Recordings are sent in one message (socket.io's 1 MB bound): 512 KiB is 2 minutes of 32 kbit/s Opus. */
export const VOICE_RECORDING_MAX_BYTES = 512 * 1024;
export const VoiceMime = z.enum(['audio/webm', 'audio/ogg', 'audio/mp4']);

export const VoiceJoinRequest = z.strictObject({}).optional();
export const VoiceTalkRequest = z.strictObject({ channel: VoiceChannel });
export const VoiceReleaseRequest = z.strictObject({ talkId: TalkId });
const Sdp = z.string().min(1).max(20_000);
export const VoiceSignal = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('offer'), sdp: Sdp }),
  z.strictObject({ type: z.literal('answer'), sdp: Sdp }),
  z.strictObject({
    type: z.literal('candidate'),
    candidate: z.strictObject({ candidate: z.string().max(1000), sdpMid: z.string().max(64).nullable(), sdpMLineIndex: z.number().int().min(0).max(64).nullable() }),
  }),
]);
export type VoiceSignal = z.infer<typeof VoiceSignal>;
export const VoiceSignalRequest = z.strictObject({ to: PeerId, talkId: TalkId, signal: VoiceSignal });

export const VoiceAudio = z.strictObject({
  mime: VoiceMime,
  base64: z.string().min(1).max(Math.ceil(VOICE_RECORDING_MAX_BYTES / 3) * 4).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64 without line breaks'),
});
/** The talker's own microphone, recorded while it held the floor (MediaRecorder), sent after the talk ends. */
export const VoiceRecordCommand = z.strictObject({
  commandId: CommandId, talkId: TalkId, channel: VoiceChannel,
  startedAt: z.number().int().min(0), endedAt: z.number().int().min(0), audio: VoiceAudio,
});
export const VoiceTalksRequest = z.strictObject({
  channel: VoiceChannel.optional(), unitId: z.string().min(1).max(64).optional(), limit: z.number().int().min(1).max(200).optional(),
});
export const VoiceAudioRequest = z.strictObject({ talkId: TalkId });

/** An ICE server as RTCPeerConnection takes it (TURN credentials are minted per session by the hub). */
export type IceServer = { urls: string | string[]; username?: string; credential?: string };
export type VoiceJoinResult = { peerId: string; iceServers: IceServer[]; talkLimitSec: number; maxRecordingBytes: number };
export type VoiceTalker = { actor: string; role: string; peerId: string; unitId: string | null };
export type VoiceFloor = {
  channel: string;
  /** the talk holding the floor, or null when it is free */
  talk: { talkId: string; talker: VoiceTalker; startedAt: number; endsBy: number } | null;
  /** why the floor became free: let go, cut at the talk limit, the talker's connection ended */
  reason?: 'released' | 'limit' | 'disconnected';
};
export type VoiceListener = { peerId: string; actor: string; unitId: string | null };
export type VoiceTalkResult = { talkId: string; channel: string; startedAt: number; endsBy: number; listeners: VoiceListener[] };
export type VoiceSignalEvent = { from: string; talkId: string; signal: VoiceSignal };
/** A stored talk: who spoke on which channel, when, and the recording's size and SHA-256. */
export type VoiceTalkRecord = {
  talkId: string; channel: string; actor: string; role: string; unitId: string | null;
  startedAt: number; endedAt: number; mime: string; bytes: number; sha256: string; recordedAt: number;
};
export type VoiceAudioResult = { talkId: string; mime: string; base64: string; sha256: string };

export type VoiceClientEvents = {
  /** makes this connection a voice peer (it hears the channels it is on); answers the ICE servers and limits */
  'voice:join': (req: Record<string, never>, ack: (res: Ack<VoiceJoinResult>) => void) => void;
  /** asks for the floor of a channel; `conflict` while someone else holds it */
  'voice:talk': (req: z.input<typeof VoiceTalkRequest>, ack: (res: Ack<VoiceTalkResult>) => void) => void;
  'voice:release': (req: z.input<typeof VoiceReleaseRequest>, ack: (res: Ack<{ ended: boolean }>) => void) => void;
  /** an offer, answer or ICE candidate for one peer of a live talk, relayed by the hub */
  'voice:signal': (req: z.input<typeof VoiceSignalRequest>, ack: (res: Ack<{ relayed: true }>) => void) => void;
  'voice:record': (req: z.input<typeof VoiceRecordCommand>, ack: (res: Ack<{ talk: VoiceTalkRecord }>) => void) => void;
};
export type VoiceConsoleReads = {
  'voice:talks': (req: z.input<typeof VoiceTalksRequest>, ack: (res: Ack<{ talks: VoiceTalkRecord[] }>) => void) => void;
  'voice:audio': (req: z.input<typeof VoiceAudioRequest>, ack: (res: Ack<VoiceAudioResult>) => void) => void;
};
export type VoiceServerEvents = {
  'voice:floor': (f: VoiceFloor) => void;
  'voice:signal': (s: VoiceSignalEvent) => void;
};

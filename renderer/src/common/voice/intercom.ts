// Push-to-talk over WebRTC, the hub relaying the signalling (docs/protocol.md, Push-to-talk). A talker
// opens one RTCPeerConnection per listener the hub names, sends its microphone, and records it
// (MediaRecorder) for the record; a listener answers each offer and plays what arrives. The floor of
// every channel this connection is on is kept here for the UI, with why a talk ended (cut at the limit).
import type { Ack } from '../../../../shared/protocol/commands';
import type {
  IceServer, VoiceFloor, VoiceJoinResult, VoiceSignal, VoiceSignalEvent, VoiceTalkResult,
} from '../../../../shared/protocol/voice';
import { newCommandId } from '../../hub/client';
import type { VoiceLink } from './link';
import { UploadQueue } from './uploads';

export type IntercomNotice = null | 'busy' | 'cut' | 'no_mic' | 'forbidden' | 'failed' | 'not_joined';
export type IntercomState = {
  joined: boolean;
  /** the floors held on this connection's channels, by channel */
  floors: ReadonlyMap<string, NonNullable<VoiceFloor['talk']>>;
  /** this connection's own talk, while it holds the floor */
  talking: { talkId: string; channel: string; endsBy: number } | null;
  /** a talk being heard now (audio arriving) */
  hearing: { talkId: string; from: string } | null;
  notice: IntercomNotice;
  talkLimitSec: number;
};

type Outgoing = { talkId: string; channel: string; startedAt: number; pcs: Map<string, RTCPeerConnection>; recorder: MediaRecorder | null; chunks: Blob[] };
type Incoming = { pc: RTCPeerConnection; talkId: string; from: string; audio: HTMLAudioElement; chain: Promise<void> };

const toBase64 = async (blob: Blob): Promise<string> => {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};
const baseMime = (type: string): string => (type.split(';')[0] || 'audio/webm').trim();

export class Intercom {
  private state: IntercomState = { joined: false, floors: new Map(), talking: null, hearing: null, notice: null, talkLimitSec: 60 };
  private readonly listeners = new Set<() => void>();
  private iceServers: IceServer[] = [];
  private peerId = '';
  private mic: MediaStream | null = null;
  private out: Outgoing | null = null;
  private readonly incoming = new Map<string, Incoming>();
  private pressing = false;
  private readonly off: Array<() => void> = [];
  readonly uploads: UploadQueue;

  constructor(private readonly link: VoiceLink, who: string) {
    this.uploads = new UploadQueue(`xiuhua.voice.uploads.${who}`, (p) => this.link.ask('voice:record', p, 20_000));
    this.off.push(
      link.onReady(() => void this.join()),
      link.on('voice:floor', (f) => this.onFloor(f)),
      link.on('voice:signal', (s) => void this.onSignal(s)),
    );
  }

  getState = (): IntercomState => this.state;
  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  /** Key or button down: ask for the floor of `channel`, then call every listener the hub names. */
  async press(channel: string): Promise<void> {
    if (this.pressing || this.out) return;
    this.pressing = true;
    try {
      if (!this.state.joined) return this.set({ notice: 'not_joined' });
      const mic = await this.microphone();
      if (!mic) return this.set({ notice: 'no_mic' });
      const res = await this.link.ask<VoiceTalkResult>('voice:talk', { channel }).catch(() => null);
      if (!res?.ok) return this.set({ notice: res?.error.code === 'conflict' ? 'busy' : res?.error.code === 'forbidden' ? 'forbidden' : 'failed' });
      const talk = res.result;
      for (const t of mic.getAudioTracks()) t.enabled = true;
      const out: Outgoing = { talkId: talk.talkId, channel, startedAt: talk.startedAt, pcs: new Map(), recorder: null, chunks: [] };
      this.out = out;
      this.startRecording(out, mic);
      this.set({ talking: { talkId: talk.talkId, channel, endsBy: talk.endsBy }, notice: null });
      await Promise.all(talk.listeners.map((l) => this.call(out, l.peerId, mic)));
      // Let go while the calls were being set up: end now.
      if (!this.pressing && this.out === out) await this.release();
    } finally {
      this.pressing = false;
    }
  }

  /** Key or button up: give the floor back, hang up, and send the recording. */
  async release(): Promise<void> {
    this.pressing = false;
    const out = this.out;
    if (!out) return;
    await this.link.ask('voice:release', { talkId: out.talkId }).catch(() => null);
    this.finish(out);
  }

  close(): void {
    if (this.out) this.finish(this.out);
    for (const id of [...this.incoming.keys()]) this.hangUp(id);
    for (const f of this.off.splice(0)) f();
    this.uploads.stop();
    for (const t of this.mic?.getTracks() ?? []) t.stop();
    this.mic = null;
  }

  private async join(): Promise<void> {
    const res = await this.link.ask<VoiceJoinResult>('voice:join', {}).catch(() => null);
    if (!res?.ok) return this.set({ joined: false });
    this.peerId = res.result.peerId;
    this.iceServers = res.result.iceServers;
    this.set({ joined: true, talkLimitSec: res.result.talkLimitSec, floors: new Map() });
    this.uploads.retry();
  }

  private async microphone(): Promise<MediaStream | null> {
    if (this.mic && this.mic.getAudioTracks().some((t) => t.readyState === 'live')) return this.mic;
    try {
      // Kept open between talks (muted), so the next press is heard from its first word.
      this.mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
      return this.mic;
    } catch {
      return null;
    }
  }

  private startRecording(out: Outgoing, mic: MediaStream): void {
    if (typeof MediaRecorder === 'undefined') return;
    const mime = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/mp4'].find((m) => MediaRecorder.isTypeSupported(m));
    const recorder = new MediaRecorder(mic, { ...(mime ? { mimeType: mime } : {}), audioBitsPerSecond: 32_000 });
    recorder.ondataavailable = (e) => e.data.size > 0 && out.chunks.push(e.data);
    recorder.start(1000);
    out.recorder = recorder;
  }

  private async call(out: Outgoing, to: string, mic: MediaStream): Promise<void> {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    out.pcs.set(to, pc);
    for (const track of mic.getAudioTracks()) pc.addTrack(track, mic);
    pc.onicecandidate = (e) => {
      if (e.candidate) void this.signal(to, out.talkId, { type: 'candidate', candidate: { candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex } });
    };
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    await this.signal(to, out.talkId, { type: 'offer', sdp: offer.sdp ?? '' });
  }

  private signal(to: string, talkId: string, signal: VoiceSignal): Promise<Ack<unknown> | null> {
    return this.link.ask('voice:signal', { to, talkId, signal }).catch(() => null);
  }

  private async onSignal({ from, talkId, signal }: VoiceSignalEvent): Promise<void> {
    const out = this.out;
    if (out && out.talkId === talkId) {
      // An answer or a candidate from one of our listeners.
      const pc = out.pcs.get(from);
      if (!pc) return;
      if (signal.type === 'answer') await pc.setRemoteDescription({ type: 'answer', sdp: signal.sdp }).catch(() => {});
      else if (signal.type === 'candidate') await pc.addIceCandidate(signal.candidate).catch(() => {});
      return;
    }
    const key = `${talkId}/${from}`;
    let inc = this.incoming.get(key);
    if (signal.type === 'offer' && !inc) inc = this.answerCall(key, talkId, from);
    if (!inc) return;
    const pc = inc.pc;
    // Signals of one call are applied in order: a candidate must wait for the offer it belongs to.
    inc.chain = inc.chain.then(async () => {
      if (signal.type === 'offer') {
        await pc.setRemoteDescription({ type: 'offer', sdp: signal.sdp });
        const answer = await pc.createAnswer();
        await pc.setLocalDescription(answer);
        await this.signal(from, talkId, { type: 'answer', sdp: answer.sdp ?? '' });
      } else if (signal.type === 'candidate') {
        await pc.addIceCandidate(signal.candidate);
      }
    }).catch(() => {});
  }

  private answerCall(key: string, talkId: string, from: string): Incoming {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    const audio = new Audio();
    audio.autoplay = true;
    pc.ontrack = (e) => {
      audio.srcObject = e.streams[0] ?? new MediaStream([e.track]);
      void audio.play().catch(() => {});
      this.set({ hearing: { talkId, from } });
    };
    pc.onicecandidate = (e) => {
      if (e.candidate) void this.signal(from, talkId, { type: 'candidate', candidate: { candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex } });
    };
    const inc: Incoming = { pc, talkId, from, audio, chain: Promise.resolve() };
    this.incoming.set(key, inc);
    return inc;
  }

  private hangUp(key: string): void {
    const inc = this.incoming.get(key);
    if (!inc) return;
    this.incoming.delete(key);
    inc.pc.close();
    inc.audio.srcObject = null;
    if (this.state.hearing?.talkId === inc.talkId) this.set({ hearing: null });
  }

  private onFloor(f: VoiceFloor): void {
    const floors = new Map(this.state.floors);
    if (f.talk) floors.set(f.channel, f.talk);
    else floors.delete(f.channel);
    this.set({ floors });
    if (f.talk) return;
    // The floor is free: a talk on it has ended. Ours, if it was cut; and any we were hearing.
    const out = this.out;
    if (out && out.channel === f.channel) {
      this.finish(out);
      if (f.reason === 'limit') this.set({ notice: 'cut' });
    }
    for (const [key, inc] of this.incoming) if (![...floors.values()].some((t) => t.talkId === inc.talkId)) this.hangUp(key);
  }

  /** Ends our talk here: mute, hang up, stop the recorder and queue its recording for the hub. */
  private finish(out: Outgoing): void {
    if (this.out !== out) return;
    this.out = null;
    for (const t of this.mic?.getAudioTracks() ?? []) t.enabled = false;
    for (const pc of out.pcs.values()) pc.close();
    const endedAt = Date.now();
    const recorder = out.recorder;
    this.set({ talking: null });
    if (!recorder || recorder.state === 'inactive') return;
    recorder.onstop = () => {
      const blob = new Blob(out.chunks, { type: recorder.mimeType || 'audio/webm' });
      if (blob.size === 0) return;
      void toBase64(blob).then((base64) => this.uploads.add({
        commandId: newCommandId(), talkId: out.talkId, channel: out.channel, startedAt: out.startedAt, endedAt,
        audio: { mime: baseMime(blob.type), base64 },
      }));
    };
    recorder.stop();
  }

  private set(change: Partial<IntercomState>): void {
    this.state = { ...this.state, ...change };
    for (const l of this.listeners) l();
  }
}

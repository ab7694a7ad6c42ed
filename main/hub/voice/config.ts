// Where WebRTC finds its way between center and field. On a LAN no server is needed (host candidates);
// phones behind 4G carrier NAT need a TURN relay (docs/voice.md: coturn). A TURN server with a shared
// secret (coturn's `use-auth-secret`) gets per-session credentials minted here, valid for `ttlSec`, so no
// long-lived TURN password reaches a client.
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';
import { VOICE_RECORDING_MAX_BYTES, type IceServer } from '../../../shared/protocol/voice';

const Urls = z.union([z.string().min(4), z.array(z.string().min(4)).min(1)]);
export const VoiceConfig = z.strictObject({
  /** STUN/TURN servers given to clients as they are (e.g. `{ "urls": "stun:stun.example.org:3478" }`) */
  iceServers: z.array(z.strictObject({ urls: Urls, username: z.string().optional(), credential: z.string().optional() })).default([]),
  /** a TURN server with a shared secret: each client gets its own time-limited username and password */
  turn: z.strictObject({ urls: Urls, secret: z.string().min(8), ttlSec: z.number().int().min(60).max(86_400).default(3600) }).optional(),
  /** a talk is cut (with a notice to everyone on the channel) after this many seconds */
  talkLimitSec: z.number().int().min(1).max(600).default(60),
  maxRecordingBytes: z.number().int().min(1024).max(VOICE_RECORDING_MAX_BYTES).default(VOICE_RECORDING_MAX_BYTES),
});
export type VoiceConfig = z.output<typeof VoiceConfig>;

export const DEFAULT_VOICE_CONFIG: VoiceConfig = VoiceConfig.parse({});

/** Reads `--voice-config <file.json>`; a bad file is a start-up error naming the field. */
export function loadVoiceConfig(file: string): VoiceConfig {
  const parsed = VoiceConfig.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** The ICE servers one client gets: the static ones, and the TURN server with credentials minted for it (coturn's REST scheme). */
export function iceServersFor(config: VoiceConfig, who: string, now: number): IceServer[] {
  const servers: IceServer[] = config.iceServers.map((s) => ({ ...s }));
  if (config.turn) {
    const username = `${Math.floor(now / 1000) + config.turn.ttlSec}:${who}`;
    const credential = createHmac('sha1', config.turn.secret).update(username).digest('base64');
    servers.push({ urls: config.turn.urls, username, credential });
  }
  return servers;
}

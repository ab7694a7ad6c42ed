// voice:record — a talk's recording enters the record: the audio as a file in the data dir, named by its
// SHA-256 (so a retried upload writes nothing new), a voice_talks row, and the audit entry (which holds
// the hash, the size, who, when and the channel; commands.ts redacts the bytes). The file is made
// durable before the transaction commits, so an acked recording is on disk.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { VoiceRecordCommand, type VoiceTalkRecord } from '../../../shared/protocol/voice';
import { findVoiceTalk, insertVoiceTalk } from '../../store/voice';
import { CommandFailure, type CommandDef } from '../commands';
import { checkTalk } from './channels';
import type { VoiceHub } from './floor';

const EXT: Record<string, string> = { 'audio/webm': 'webm', 'audio/ogg': 'ogg', 'audio/mp4': 'm4a' };
/** A recording's times may lag the hub's clock a little (the device's clock); never run ahead of it. */
const CLOCK_SLACK_MS = 120_000;

export const VOICE_TALKERS = ['operator', 'duty_manager', 'device'] as const;

/** Writes the bytes to `dir/name` durably, unless a file of that name (the same hash) is already there. */
function storeFile(dir: string, name: string, bytes: Buffer): void {
  const file = path.join(dir, name);
  if (fs.existsSync(file)) return;
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  const dirFd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}

export function voiceRecordCommand(voice: VoiceHub): CommandDef<typeof VoiceRecordCommand, { talk: VoiceTalkRecord }> {
  return {
    name: 'voice:record', schema: VoiceRecordCommand, roles: VOICE_TALKERS,
    handler: ({ db, now, actor }, p) => {
      // Only what the actor may talk on (a device: its own unit's channel), whatever it claims.
      checkTalk(actor, p.channel, { unit: () => true, area: () => true });
      const bytes = Buffer.from(p.audio.base64, 'base64');
      if (bytes.length > voice.config.maxRecordingBytes) {
        throw new CommandFailure('invalid_payload', `audio: ${bytes.length} bytes, at most ${voice.config.maxRecordingBytes}`);
      }
      if (findVoiceTalk(db, p.talkId)) throw new CommandFailure('conflict', `talk ${p.talkId} already has its recording`);
      // The hub's own view of the talk wins where it has one: who held the floor, on which channel, how long.
      const live = voice.findTalk(p.talkId);
      if (live && (live.talker.actor !== actor.id || live.channel !== p.channel)) {
        throw new CommandFailure('forbidden', `talk ${p.talkId} was not ${actor.id}'s on ${p.channel}`);
      }
      const startedAt = live?.startedAt ?? p.startedAt;
      const endedAt = live?.endedAt ?? p.endedAt;
      if (endedAt < startedAt || endedAt > now + CLOCK_SLACK_MS) throw new CommandFailure('invalid_payload', 'endedAt: before startedAt, or in the future');
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const file = `${sha256}.${EXT[p.audio.mime]}`;
      storeFile(path.join(voice.dataDir, 'voice'), file, bytes);
      const unitId = actor.role === 'device' ? p.channel.slice(5) : p.channel.startsWith('unit:') ? p.channel.slice(5) : null;
      const talk: VoiceTalkRecord = {
        talkId: p.talkId, channel: p.channel, actor: actor.id, role: actor.role, unitId,
        startedAt, endedAt, mime: p.audio.mime, bytes: bytes.length, sha256, recordedAt: now,
      };
      insertVoiceTalk(db, { ...talk, file: `voice/${file}` });
      return {
        result: { talk }, target: p.talkId, events: [],
        detail: { channel: p.channel, startedAt, endedAt, sha256, bytes: bytes.length, file: `voice/${file}`, ended: live?.endReason ?? 'unknown' },
      };
    },
  };
}

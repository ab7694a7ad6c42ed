// Spoken announcements (the browser's speech synthesis), one at a time: an SOS goes before everything and
// interrupts whatever is being said (which is said again after it); the rest waits its turn. Where no voice
// for the language exists — or the engine fails — nothing is spoken and `voiceState` says so, so that the
// banner can tell the operator the alarm is tone-only: never silence without saying so.
import { useSyncExternalStore } from 'react';
import { alarmSettings } from './alarm-settings';

export type Announcement = { text: string; lang: string; /** an SOS: preempts everything else */ urgent: boolean };
/** 'ok': a voice for the console's language; 'none': none (or the engine failed); 'unsupported': no speech synthesis at all. */
export type VoiceState = 'ok' | 'none' | 'unsupported';

/** An announcement nobody hears the end of (an engine that never says "done") is given up after this. */
const MAX_SPEAK_MS = 20_000;

const synth = (): SpeechSynthesis | null => (typeof speechSynthesis === 'undefined' ? null : speechSynthesis);
const langPrefix = (lang: string) => lang.toLowerCase().slice(0, 2);

export class Announcer {
  private queue: Announcement[] = [];
  private current: { a: Announcement; token: number; timer: ReturnType<typeof setTimeout> } | null = null;
  private token = 0;
  private failed = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private lang = 'zh-CN';
  private voice: VoiceState = 'unsupported';

  constructor() {
    const s = synth();
    s?.addEventListener?.('voiceschanged', () => this.refresh());
    this.refresh();
  }

  /** The console's language: voice availability is judged for it. */
  setLanguage(lang: string): void {
    this.lang = lang;
    this.refresh();
  }

  voiceState = (): VoiceState => this.voice;

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  say(a: Announcement): void {
    if (a.urgent) {
      const lastUrgent = this.queue.findLastIndex((x) => x.urgent);
      this.queue.splice(lastUrgent + 1, 0, a);
      if (this.current && !this.current.a.urgent) {
        // Interrupted: said again right after the SOS announcements.
        this.queue.splice(lastUrgent + 2, 0, this.current.a);
        this.stopCurrent();
      }
    } else {
      this.queue.push(a);
    }
    this.pump();
  }

  /** Stop talking and forget what was waiting (muted, or signed out). */
  clear(): void {
    this.queue = [];
    this.stopCurrent();
  }

  private stopCurrent(): void {
    if (!this.current) return;
    clearTimeout(this.current.timer);
    this.current = null;
    synth()?.cancel();
  }

  private refresh(): void {
    const s = synth();
    const prefix = langPrefix(this.lang);
    const next: VoiceState = !s ? 'unsupported'
      : !this.failed.has(prefix) && s.getVoices().some((v) => langPrefix(v.lang) === prefix) ? 'ok' : 'none';
    if (next === this.voice) return;
    this.voice = next;
    for (const l of this.listeners) l();
  }

  private pump(): void {
    if (this.current) return;
    const s = synth();
    const { muted, volume } = alarmSettings();
    for (;;) {
      const a = this.queue.shift();
      if (!a) return;
      if (muted || !s || this.voice !== 'ok') continue; // the banner says why nothing is heard
      const token = ++this.token;
      const u = new SpeechSynthesisUtterance(a.text);
      u.lang = a.lang;
      u.volume = volume;
      const done = (failed: boolean) => {
        if (this.current?.token !== token) return;
        clearTimeout(this.current.timer);
        this.current = null;
        if (failed) {
          this.failed.add(langPrefix(a.lang));
          this.refresh();
        }
        this.pump();
      };
      u.onend = () => done(false);
      // "interrupted"/"canceled" are ours (preempted); anything else means this engine cannot speak it.
      u.onerror = (e) => done(e.error !== 'interrupted' && e.error !== 'canceled');
      this.current = { a, token, timer: setTimeout(() => done(false), MAX_SPEAK_MS) };
      s.speak(u);
      return;
    }
  }
}

export const announcer = new Announcer();

export function useVoiceState(): VoiceState {
  return useSyncExternalStore(announcer.subscribe, announcer.voiceState);
}

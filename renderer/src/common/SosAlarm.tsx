// The SOS alarm nobody can miss, above everything on every screen: who, where, since when, and how far it
// has gone (escalated to whom, acknowledged by whom, help on the way). On a console it also sounds — the
// mode's alarm sound, looping on an <audio> element until someone acknowledges, faster and louder once
// escalated — and speaks each SOS, escalation and mode change (announcer.ts). Whatever keeps it from being
// heard (this console muted, no voice for its language, the browser blocking sound) is said on the banner.
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { ModeName, Sos } from '../../../shared/domain';
import { MODE_PROFILES, type ModeProfile } from '../../../shared/modes';
import alertUrl from '../../../resources/sounds/alert.mp3?url';
import alertUrgentUrl from '../../../resources/sounds/alert-urgent.mp3?url';
import chimeUrl from '../../../resources/sounds/chime.mp3?url';
import chimeUrgentUrl from '../../../resources/sounds/chime-urgent.mp3?url';
import sirenUrl from '../../../resources/sounds/siren.mp3?url';
import sirenUrgentUrl from '../../../resources/sounds/siren-urgent.mp3?url';
import { hub, useHub, type HubState } from '../hub';
import { pick } from '../i18n';
import { ESCALATED_BOOST, setAlarmSettings, useAlarmSettings } from './alarm-settings';
import { announcer, useVoiceState } from './announcer';
import { ago, useClock } from './format';
import { officerName, openSos, placeText, sosPlace } from './sos';
import { useNow } from './useNow';
import './sos.css';

const SOUNDS: Record<ModeProfile['alarmSound'], { normal: string; urgent: string }> = {
  chime: { normal: chimeUrl, urgent: chimeUrgentUrl },
  alert: { normal: alertUrl, urgent: alertUrgentUrl },
  siren: { normal: sirenUrl, urgent: sirenUrgentUrl },
};

/** The mode in force where the SOS is: an emergency declared for its district or cell, else the city's. */
function modeAt(s: HubState, sos: Sos): ModeName {
  const place = sosPlace(s, sos, 'zh');
  const area = s.areaModes.find((c) => c.areaId !== null && (c.areaId === place.district?.id || c.areaId === place.cell?.id));
  return area?.mode ?? s.mode?.mode ?? 'daily';
}

/** A mode change older than this (caught up after a reconnect) is not announced. */
const NEWS_MS = 60_000;
const profileOf = (s: HubState, mode: ModeName): ModeProfile => s.profiles?.[mode].profile ?? MODE_PROFILES[mode];
const speechLang = (lang: string) => (lang.startsWith('zh') ? 'zh-CN' : 'en-US');

function sayText(t: TFunction, s: HubState, sos: Sos, lang: string): string {
  const p = sosPlace(s, sos, lang);
  return t('sos.say', { area: p.district?.name ?? p.cell?.name ?? '', officer: officerName(s, sos), where: p.street ?? p.cell?.name ?? p.district?.name ?? '' });
}

/** Speaks each new SOS and each escalation step once (urgent), and each mode change (in turn). Consoles only. */
function useAnnouncements(): void {
  const { t, i18n } = useTranslation();
  const said = useRef(new Set<string>());
  const state = useHub((s) => s);
  const lang = i18n.language;
  useEffect(() => announcer.setLanguage(speechLang(lang)), [lang]);
  useEffect(() => {
    for (const sos of openSos(state)) {
      if (sos.state !== 'raised') continue;
      const key = `${sos.id}:${sos.escalations}`;
      if (said.current.has(key)) continue;
      said.current.add(key);
      const text = sos.escalations === 0
        ? sayText(t, state, sos, lang)
        : t('sos.sayEscalated', { text: sayText(t, state, sos, lang), role: sos.escalatedTo ? t(`roles.${sos.escalatedTo}`) : '' });
      announcer.say({ text, lang: speechLang(lang), urgent: true });
    }
  }, [state, t, lang]);
  useEffect(() => hub.onEvent((e) => {
    // Events replayed after a reconnect are history: only a change of the last minute is news.
    if (e.data.type !== 'mode:changed' || hub.hubNow() - e.at > NEWS_MS) return;
    const c = e.data.change;
    const mode = pick(MODE_PROFILES[c.mode].label, i18n.language);
    const area = c.areaId ? hub.getState().areas.get(c.areaId)?.name ?? c.areaId : null;
    const text = c.kind === 'end'
      ? t('sos.sayModeEnd', { mode, area: area ?? t('modeSwitch.city') })
      : t('sos.sayMode', { mode, area: area ?? t('modeSwitch.city') });
    announcer.say({ text, lang: speechLang(i18n.language), urgent: false });
  }), [t, i18n]);
  useEffect(() => () => announcer.clear(), []);
}

/** The alarm sound: plays while an SOS waits for acknowledgement, unless this console is muted. */
function AlarmSound({ sound, escalated, on, onBlocked }: { sound: ModeProfile['alarmSound']; escalated: boolean; on: boolean; onBlocked: (b: boolean) => void }) {
  const ref = useRef<HTMLAudioElement>(null);
  const { volume, muted } = useAlarmSettings();
  const src = SOUNDS[sound][escalated ? 'urgent' : 'normal'];
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.volume = Math.min(1, volume + (escalated ? ESCALATED_BOOST : 0));
    if (on && !muted) {
      el.play().then(() => onBlocked(false), (e: unknown) => { if ((e as Error).name === 'NotAllowedError') onBlocked(true); });
    } else {
      el.pause();
      el.currentTime = 0;
    }
  }, [on, muted, volume, escalated, src, onBlocked]);
  return <audio ref={ref} src={src} loop preload="auto" data-testid="alarm-audio" data-sound={sound} data-escalated={escalated} />;
}

function SoundControls({ blocked, onRetry }: { blocked: boolean; onRetry: () => void }) {
  const { t } = useTranslation();
  const { volume, muted } = useAlarmSettings();
  const voice = useVoiceState();
  const notes: string[] = [];
  if (muted) notes.push(t('sos.muted'));
  else {
    if (blocked) notes.push(t('sos.blocked'));
    if (voice !== 'ok') notes.push(t('sos.noVoice'));
  }
  return (
    <div className="sos-sound" data-testid="sos-sound" data-muted={muted} data-voice={voice} data-blocked={blocked}>
      {notes.length > 0 && <span className="sos-sound-note" data-testid="sos-sound-note">{notes.join(' · ')}</span>}
      {blocked && !muted && <button type="button" onClick={onRetry}>{t('sos.enableSound')}</button>}
      <button type="button" aria-pressed={muted} data-testid="sos-mute" onClick={() => setAlarmSettings({ muted: !muted })}>
        {muted ? t('sos.unmute') : t('sos.mute')}
      </button>
      <label className="sos-volume">
        {t('sos.volume')}
        <input type="range" min={0} max={1} step={0.05} value={volume} data-testid="sos-volume" onChange={(e) => setAlarmSettings({ volume: Number(e.target.value) })} />
      </label>
    </div>
  );
}

function SosLine({ sos, actions }: { sos: Sos; actions?: (sos: Sos) => ReactNode }) {
  const { t, i18n } = useTranslation();
  const state = useHub((s) => s);
  const clock = useClock();
  const now = hub.hubNow();
  const place = placeText(sosPlace(state, sos, i18n.language));
  const stage = sos.state === 'acknowledged'
    ? t('sos.acknowledgedBy', { who: sos.acknowledgedBy ?? '?', at: sos.acknowledgedAt ? clock(sos.acknowledgedAt) : '' })
    : sos.escalations > 0
      ? t('sos.escalated', { role: sos.escalatedTo ? t(`roles.${sos.escalatedTo}`) : '', count: sos.escalations })
      : t('sos.unacknowledged');
  return (
    <li className={`sos-line sos-${sos.state}${sos.escalations > 0 && sos.state === 'raised' ? ' sos-escalated' : ''}`}
      data-sos={sos.id} data-unit={sos.unitId} data-state={sos.state} data-escalations={sos.escalations}>
      <div className="sos-main">
        <strong className="sos-tag">{t('sos.tag')}</strong>
        <span className="sos-who">{officerName(state, sos)}</span>
        {place && <span className="sos-where">{place}</span>}
        <span className="sos-since">{t('sos.since', { time: clock(sos.raisedAt), ago: ago(t, now - sos.raisedAt) })}</span>
        <span className="sos-stage" data-testid="sos-stage">{stage}</span>
        {sos.help.length > 0 && (
          <span className="sos-help" data-testid="sos-help">
            {t('sos.helpOnWay', { units: sos.help.map((h) => (h.etaSec !== null ? t('sos.helpUnitEta', { unit: h.unitName, min: Math.max(1, Math.round(h.etaSec / 60)) }) : h.unitName)).join('、') })}
          </span>
        )}
        {sos.note && <span className="sos-note">“{sos.note}”</span>}
      </div>
      {actions?.(sos)}
    </li>
  );
}

/**
 * `wall`: a wall display — the banner only (its sound and speech are the consoles'). `actions`: what a
 * console offers on each SOS (acknowledge, send help, resolve).
 */
export function SosAlarm({ wall = false, actions }: { wall?: boolean; actions?: (sos: Sos) => ReactNode }) {
  const state = useHub((s) => s);
  useNow();
  const open = useMemo(() => openSos(state), [state]);
  const raised = open.filter((x) => x.state === 'raised');
  const [blocked, setBlocked] = useState(false);
  const [retry, setRetry] = useState(0);
  // The newest unacknowledged SOS decides the sound: its area's mode, urgent once any has escalated.
  const lead = raised.at(-1);
  const sound = lead ? profileOf(state, modeAt(state, lead)).alarmSound : profileOf(state, state.mode?.mode ?? 'daily').alarmSound;
  return (
    <>
      {!wall && <ConsoleVoice />}
      {!wall && <AlarmSound key={retry} sound={sound} escalated={raised.some((x) => x.escalations > 0)} on={raised.length > 0} onBlocked={setBlocked} />}
      {open.length > 0 && (
        <section className={`sos-banner${raised.length ? ' sos-banner-raised' : ''}`} role="alert" data-testid="sos-banner" data-count={open.length} data-raised={raised.length}>
          <ul>{open.map((x) => <SosLine key={x.id} sos={x} actions={actions} />)}</ul>
          {!wall && <SoundControls blocked={blocked} onRetry={() => setRetry((n) => n + 1)} />}
        </section>
      )}
    </>
  );
}

function ConsoleVoice() {
  useAnnouncements();
  return null;
}

// The operator's push-to-talk: pick who hears (the selected unit or area, every unit of an area, or all
// on duty), then hold the button or F8 to talk. Shows who holds each floor, what is being heard, a talk
// cut at the limit, and every recording not yet stored by the hub (never silently lost).
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hub, useHub } from '../hub';
import { useLiveCity } from '../state/live-city';
import { useSelection } from '../state/selection';
import { Intercom } from '../common/voice/intercom';
import { useIntercom, usePendingRecordings } from '../common/voice/react';
import { useNow } from '../common/useNow';
import './voice.css';

/** The key held to talk (a function key: it types nothing into a field and no browser takes it). */
export const PTT_KEY = 'F8';
const CENTER = new Set(['operator', 'duty_manager']);
const PANEL_KEY = 'xiuhua.voicePanel';

export function VoicePanel() {
  const user = useHub((s) => s.user);
  if (!user || !CENTER.has(user.role)) return null;
  return <VoiceDesk who={user.username} />;
}

function VoiceDesk({ who }: { who: string }) {
  const [intercom, setIntercom] = useState<Intercom | null>(null);
  useEffect(() => {
    const made = new Intercom(hub.voiceLink(), who);
    setIntercom(made);
    return () => made.close();
  }, [who]);
  const city = useLiveCity();
  const selection = useSelection();
  const [target, setTarget] = useState('all');
  useEffect(() => {
    if (selection?.kind === 'unit') setTarget(`unit:${selection.id}`);
    if (selection?.kind === 'area') setTarget(`area:${selection.id}`);
  }, [selection]);

  useEffect(() => {
    if (!intercom) return;
    const typing = (e: KeyboardEvent) => e.target instanceof HTMLElement && (e.target.isContentEditable || ['INPUT', 'TEXTAREA'].includes(e.target.tagName));
    const down = (e: KeyboardEvent) => {
      if (e.key !== PTT_KEY || e.repeat || typing(e)) return;
      e.preventDefault();
      void intercom.press(target);
    };
    const up = (e: KeyboardEvent) => {
      if (e.key !== PTT_KEY) return;
      e.preventDefault();
      void intercom.release();
    };
    const blur = () => void intercom.release(); // a key let go in another window must not leave the floor held
    document.addEventListener('keydown', down);
    document.addEventListener('keyup', up);
    window.addEventListener('blur', blur);
    return () => {
      document.removeEventListener('keydown', down);
      document.removeEventListener('keyup', up);
      window.removeEventListener('blur', blur);
    };
  }, [intercom, target]);

  const areas = useMemo(() => [...city.areas.values()].filter((a) => a.kind !== 'post').sort((a, b) => a.name.localeCompare(b.name)), [city.areas]);
  const units = useMemo(() => [...city.units.values()].sort((a, b) => a.name.localeCompare(b.name)), [city.units]);
  const [open, setOpen] = useState(() => localStorage.getItem(PANEL_KEY) === 'open');
  const toggle = () => setOpen((o) => {
    localStorage.setItem(PANEL_KEY, o ? 'closed' : 'open');
    return !o;
  });
  if (!intercom) return null;
  // Closed, the key still talks to the chosen target; the toggle shows when a floor is held.
  return (
    <>
      <VoiceToggle intercom={intercom} open={open} toggle={toggle} />
      {open && <Desk intercom={intercom} target={target} setTarget={setTarget} areas={areas} units={units} />}
    </>
  );
}

function VoiceToggle({ intercom, open, toggle }: { intercom: Intercom; open: boolean; toggle: () => void }) {
  const { t } = useTranslation();
  const state = useIntercom(intercom);
  const busy = state.talking ? 'talking' : state.hearing ? 'hearing' : state.floors.size > 0 ? 'floor' : 'idle';
  return (
    <button type="button" className={`voice-toggle ${busy}`} aria-pressed={open} onClick={toggle} data-testid="voice-toggle" data-state={busy}>
      {t('voice.title')} · {PTT_KEY}
    </button>
  );
}

type DeskProps = {
  intercom: Intercom; target: string; setTarget: (t: string) => void;
  areas: { id: string; name: string }[]; units: { id: string; name: string }[];
};

function Desk({ intercom, target, setTarget, areas, units }: DeskProps) {
  const { t } = useTranslation();
  const state = useIntercom(intercom);
  const pending = usePendingRecordings(intercom);
  const now = useNow(500);
  const nameOf = (channel: string) => {
    if (channel === 'all') return t('voice.all');
    const id = channel.slice(5);
    return (channel.startsWith('unit:') ? units : areas).find((x) => x.id === id)?.name ?? id;
  };
  const held = [...state.floors.entries()];
  return (
    <section className="voice-panel" data-testid="voice-panel" data-joined={state.joined} aria-label={t('voice.title')}>
      <h3>{t('voice.title')} {!state.joined && <small className="stale">{t('voice.offline')}</small>}</h3>
      <label>{t('voice.to')}
        <select value={target} onChange={(e) => setTarget(e.target.value)} data-testid="voice-target">
          <option value="all">{t('voice.all')}</option>
          <optgroup label={t('voice.areas')}>{areas.map((a) => <option key={a.id} value={`area:${a.id}`}>{a.name}</option>)}</optgroup>
          <optgroup label={t('voice.units')}>{units.map((u) => <option key={u.id} value={`unit:${u.id}`}>{u.name}</option>)}</optgroup>
        </select>
      </label>
      <button
        type="button" className={`ptt${state.talking ? ' on' : ''}`} data-testid="voice-ptt" disabled={!state.joined}
        onPointerDown={(e) => { e.currentTarget.setPointerCapture(e.pointerId); void intercom.press(target); }}
        onPointerUp={() => void intercom.release()} onPointerCancel={() => void intercom.release()}
      >
        {state.talking
          ? t('voice.talking', { to: nameOf(state.talking.channel), left: Math.max(0, Math.ceil((state.talking.endsBy - now) / 1000)) })
          : t('voice.hold', { key: PTT_KEY })}
      </button>
      {state.notice && <p className="notice" role="alert" data-testid="voice-notice" data-notice={state.notice}>{t(`voice.notice.${state.notice}`, { sec: state.talkLimitSec })}</p>}
      {state.hearing && <p className="hearing" data-testid="voice-hearing">{t('voice.hearing')}</p>}
      <ul className="floors">
        {held.map(([channel, talk]) => (
          <li key={channel} data-testid="voice-floor" data-channel={channel}>{t('voice.floor', { who: talk.talker.unitId ?? talk.talker.actor, on: nameOf(channel) })}</li>
        ))}
      </ul>
      {pending.length > 0 && (
        <ul className="uploads" data-testid="voice-uploads">
          {pending.map((p) => (
            <li key={p.commandId} data-refused={p.refused ?? ''}>
              {p.refused ? t('voice.refused', { code: p.refused }) : t('voice.uploading', { n: p.attempts })}
              {p.refused && <button type="button" onClick={() => intercom.uploads.dismiss(p.commandId)}>{t('voice.dismiss')}</button>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

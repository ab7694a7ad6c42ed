// The field page's SOS button and what became of the call, live: sent → received by the center →
// acknowledged by <name> → help on the way (<unit>, ETA) → resolved. Fed by the hub's sos:raised and
// sos:updated events for this unit (also replayed when the device catches up after a reconnect).
import { useCallback, useRef, useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { Sos } from '../../../shared/domain';
import type { Ack, HubEvent } from '../../../shared/protocol';
import './sos.css';

export type SosTrack = {
  /** sending: pressed, no answer yet; refused: the hub said no (or no position) */
  phase: 'idle' | 'sending' | 'answered' | 'refused';
  sos: Sos | null;
};

/** `send` presses the button (sends sos:raise with a position) and resolves to the hub's ack, or null if none came. */
export function useSosTrack(unitRef: RefObject<string>, send: () => Promise<Ack<unknown> | null>) {
  const [track, setTrack] = useState<SosTrack>({ phase: 'idle', sos: null });
  const sendRef = useRef(send);
  sendRef.current = send;
  const onEvent = useCallback((e: HubEvent) => {
    if (e.data.type !== 'sos:raised' && e.data.type !== 'sos:updated') return;
    const sos = e.data.sos;
    if (sos.unitId !== unitRef.current) return;
    // A press in flight stays "sending" until the hub acks it: news of the SOS already open is not that ack.
    setTrack((t) => (t.sos && t.sos.id !== sos.id && sos.raisedAt < t.sos.raisedAt ? t : { phase: t.phase === 'sending' ? 'sending' : 'answered', sos }));
  }, [unitRef]);
  const press = useCallback(async () => {
    setTrack((t) => ({ phase: 'sending', sos: t.sos?.state === 'resolved' ? null : t.sos }));
    const res = await sendRef.current();
    const answered = res?.ok ? (res.result as { sos: Sos }).sos : null;
    // An event may already have brought a newer picture of the same SOS; keep the newer one.
    setTrack((t) => (answered ? { phase: 'answered', sos: t.sos?.id === answered.id && t.sos.updatedAt > answered.updatedAt ? t.sos : answered } : { ...t, phase: 'refused' }));
  }, []);
  return { track, onEvent, press };
}

type Step = { key: string; done: boolean; text: string };

/** `queued`: the press is in the outbox, not yet at the hub (no signal): said so, never "sent". */
export function SosPanel({ track, press, queued = false }: { track: SosTrack; press: () => void; queued?: boolean }) {
  const { t } = useTranslation();
  const { sos, phase } = track;
  const open = sos !== null && sos.state !== 'resolved';
  const steps: Step[] = [];
  // Each step is done only when it is known to be: "sent" and "received" once the hub has acked this press
  // (the ack is the hub's word that it has it; before it, the press may still be on the phone or in the air).
  const acked = phase === 'answered';
  if (phase !== 'idle' || sos || queued) {
    steps.push(queued ? { key: 'sent', done: false, text: t('fieldSos.queued') }
      : phase === 'sending' ? { key: 'sent', done: false, text: t('fieldSos.sending') }
        : { key: 'sent', done: acked, text: t('fieldSos.sent') });
    steps.push({ key: 'received', done: acked, text: phase === 'refused' ? t('fieldSos.notReceived') : t('fieldSos.received') });
    if (sos) {
      steps.push({
        key: 'acknowledged', done: sos.acknowledgedBy !== null,
        text: sos.acknowledgedBy ? t('fieldSos.acknowledgedBy', { who: sos.acknowledgedBy }) : sos.escalations > 0 ? t('fieldSos.escalated') : t('fieldSos.waiting'),
      });
      steps.push({
        key: 'help', done: sos.help.length > 0,
        text: sos.help.length > 0
          ? t('fieldSos.helpOnWay', { units: sos.help.map((h) => (h.etaSec !== null ? t('sos.helpUnitEta', { unit: h.unitName, min: Math.max(1, Math.round(h.etaSec / 60)) }) : h.unitName)).join('、') })
          : t('fieldSos.noHelpYet'),
      });
      steps.push({ key: 'resolved', done: sos.state === 'resolved', text: sos.state === 'resolved' ? t('fieldSos.resolved', { note: sos.resolution ?? '' }) : t('fieldSos.notResolved') });
    }
  }
  return (
    <section className={`field-sos${open ? ' field-sos-open' : ''}`} data-testid="field-sos" data-phase={phase} data-state={sos?.state ?? 'none'}>
      <button type="button" className="sos" disabled={phase === 'sending'} onClick={press}>
        SOS {open ? t('fieldSos.again') : t('field.help')}
      </button>
      {steps.length > 0 && (
        <ol className="sos-steps">
          {steps.map((s) => <li key={s.key} data-step={s.key} data-done={s.done} className={s.done ? 'done' : ''}>{s.text}</li>)}
        </ol>
      )}
    </section>
  );
}

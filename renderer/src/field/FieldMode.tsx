// The mode in force where this unit works (city-wide, or an emergency declared for its area), as the
// hub's rules apply it there: asked on sign-in, again on every mode change the hub announces and on
// each reconnect, so a switch reaches the field page within a round trip.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Socket } from 'socket.io-client';
import type { FieldClientEvents, FieldServerEvents, HubEvent } from '../../../shared/protocol';
import type { ModeHere } from '../../../shared/protocol/mode-here';
import { centerTimeText, DEFAULT_TIME_ZONE } from '../../../shared/time';
import { modeReasonText, pick } from '../i18n';

type FieldSocket = Socket<FieldServerEvents, FieldClientEvents>;

export function FieldMode({ socket, unitId }: { socket: FieldSocket | null; unitId: string }) {
  const { t, i18n } = useTranslation();
  const [here, setHere] = useState<ModeHere | null>(null);

  useEffect(() => {
    if (!socket || !unitId) return;
    let asked = 0;
    let live = true;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const ask = () => {
      const n = ++asked;
      clearTimeout(retry);
      socket.timeout(10_000).emitWithAck('mode:here', { unitId }).then((res) => {
        if (live && n === asked && res.ok) setHere(res.result); // only the newest answer counts
      }, () => {
        // No answer in time (a busy hub, a connection going down): ask again while connected; a reconnect asks anyway.
        if (live && n === asked && socket.connected) retry = setTimeout(ask, 1000);
      });
    };
    const onEvent = (e: HubEvent) => { if (e.data.type === 'mode:changed') ask(); };
    socket.on('event', onEvent);
    socket.on('session:ready', ask);
    if (socket.connected) ask();
    return () => {
      live = false;
      clearTimeout(retry);
      socket.off('event', onEvent);
      socket.off('session:ready', ask);
    };
  }, [socket, unitId]);

  if (!here) return <p className="field-mode" data-testid="field-mode" data-mode="">{t('modeHere.unknown')}</p>;
  const time = (ms: number) => centerTimeText(ms, DEFAULT_TIME_ZONE, false); // the center's zone, not the phone's
  return (
    <section className={`field-mode mode-${here.mode}`} data-testid="field-mode" data-mode={here.mode} data-scope={here.scope}>
      <strong>{t('modeHere.title')} · {pick(here.label, i18n.language)}</strong>
      <span> · {here.scope === 'area' ? t('modeHere.area', { area: here.declaredFor ?? here.change.areaId }) : t('modeHere.city')}</span>
      <div>{t('modeHere.checkIn', { n: here.checkInIntervalMin })} · {t('modeHere.ack', { n: Math.round(here.taskAckSec / 60) })}</div>
      <div className="field-mode-when">
        {t('modeHere.since', { at: time(here.change.at) })}
        {here.change.kind === 'switch' && here.change.endsAt !== null && <> · {t('modeHere.until', { at: time(here.change.endsAt) })}</>}
        {here.change.reason && <> · <span data-testid="field-mode-reason">{modeReasonText(t, here.change.reason)}</span></>}
      </div>
    </section>
  );
}

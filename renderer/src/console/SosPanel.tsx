// What an operator does with an SOS, on its banner line: show it on the map, acknowledge it, send the
// nearest free units to help (the hub's ranking by road travel time, units:recommend at the SOS's
// position; sos:assist gives the task and tells the officer who is coming and when), and resolve it with
// a note. While the hub is away there is no list, not a stale one.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Sos } from '../../../shared/domain';
import type { RecommendResult } from '../../../shared/protocol/recommend';
import { hub, useHub } from '../hub';
import { AckSosButton, OutcomeLine, useCanDispatch, useCommand } from '../common/commands';
import { distance } from '../common/format';
import { flyTo } from '../map/focus';
import { select } from '../state/selection';

const NEAREST = 5;

function useHelpers(sos: Sos, wanted: boolean): RecommendResult | null {
  const live = useHub((s) => s.connection.status === 'live');
  const [result, setResult] = useState<RecommendResult | null>(null);
  const [lng, lat] = sos.position;
  const helpKey = sos.help.map((h) => h.taskId).join();
  useEffect(() => {
    setResult(null);
    if (!wanted || !live) return;
    let gone = false;
    hub.request('units:recommend', { position: [lng, lat], limit: NEAREST }).then((r) => { if (!gone) setResult(r); }, () => { if (!gone) setResult(null); });
    return () => { gone = true; };
  }, [lng, lat, wanted, live, helpKey]);
  return result;
}

function SendHelp({ sos }: { sos: Sos }) {
  const { t } = useTranslation();
  const units = useHub((s) => s.units);
  const rec = useHelpers(sos, true);
  const [outcome, busy, run] = useCommand();
  const sent = new Set(sos.help.map((h) => h.unitId));
  const near = (rec?.suggestions ?? []).filter((r) => !sent.has(r.unitId));
  return (
    <div className="sos-send">
      <h3>{t('sos.nearest')}</h3>
      {!rec && <p className="hint">{t('sos.ranking')}</p>}
      {rec && near.length === 0 && <p className="hint">{t('sos.noneFree')}</p>}
      <ul className="list">
        {near.map((r) => (
          <li key={r.unitId} data-testid="sos-recommended" data-unit={r.unitId} data-eta={r.etaSec}>
            <span>
              {t('panel.nearest', { name: units.get(r.unitId)?.name ?? r.unitId, dist: distance(r.distanceM) })}
              {' · '}{t('recommend.eta', { min: Math.max(1, Math.round(r.etaSec / 60)) })}
              {r.how === 'straight_line' && <> · <em>{t('recommend.straight')}</em></>}
            </span>
            <button type="button" className="primary" disabled={busy} data-testid="sos-assist"
              onClick={() => run((o) => hub.command('sos:assist', { sosId: sos.id, unitId: r.unitId, etaSec: r.etaSec, note: '' }, o))}>
              {t('sos.send')}
            </button>
          </li>
        ))}
      </ul>
      <OutcomeLine outcome={outcome} />
    </div>
  );
}

function Resolve({ sos }: { sos: Sos }) {
  const { t } = useTranslation();
  const [note, setNote] = useState('');
  const [outcome, busy, run] = useCommand();
  return (
    <form className="sos-resolve" onSubmit={(e) => { e.preventDefault(); void run((o) => hub.command('sos:resolve', { sosId: sos.id, note: note.trim() }, o)); }}>
      <label>{t('sos.resolveNote')}
        <textarea value={note} rows={2} required data-testid="sos-resolve-note" onChange={(e) => setNote(e.target.value)} placeholder={t('sos.resolveHint')} />
      </label>
      <button type="submit" disabled={busy || note.trim() === ''} data-testid="sos-resolve">{t('sos.resolve')}</button>
      <OutcomeLine outcome={outcome} />
    </form>
  );
}

export function SosActions({ sos }: { sos: Sos }) {
  const { t } = useTranslation();
  const canDispatch = useCanDispatch();
  const [open, setOpen] = useState(false);
  const show = () => {
    select({ kind: 'unit', id: sos.unitId });
    flyTo({ kind: 'unit', id: sos.unitId });
  };
  return (
    <div className="sos-actions" data-testid="sos-actions">
      <div className="sos-buttons">
        <button type="button" onClick={show}>{t('alarm.show')}</button>
        {canDispatch && sos.state === 'raised' && <AckSosButton sosId={sos.id} />}
        {canDispatch && (
          <button type="button" aria-expanded={open} data-testid="sos-handle" onClick={() => setOpen((o) => !o)}>{open ? t('sos.hide') : t('sos.handle')}</button>
        )}
      </div>
      {open && canDispatch && (
        <div className="sos-panel" data-testid="sos-panel">
          <SendHelp sos={sos} />
          <Resolve sos={sos} />
        </div>
      )}
    </div>
  );
}

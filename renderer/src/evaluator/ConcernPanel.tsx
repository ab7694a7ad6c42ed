// One timeline entry in the side panel: the entry as recorded (who, what, the content, the hash links),
// what it concerns as the console knows it now (incident, task, SOS, unit, camera, area, mode), and every
// other entry of the period about the same thing — so an incident's handling reads in one list.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Concern } from '../../../shared/audit';
import type { TimelineEntry } from '../../../shared/protocol/reads';
import { INCIDENT_CATEGORY_LABELS } from '../../../shared/domain';
import { hub, useHub } from '../hub';
import { pick } from '../i18n';
import { useClock } from '../common/format';
import { usePeriod } from './period';

function useLiveThing(c: Concern | null): Array<[string, string]> | null {
  const { t, i18n } = useTranslation();
  const units = useHub((s) => s.units);
  const cameras = useHub((s) => s.cameras);
  const incidents = useHub((s) => s.incidents);
  const tasks = useHub((s) => s.tasks);
  const sos = useHub((s) => s.sos);
  const areas = useHub((s) => s.areas);
  const profiles = useHub((s) => s.profiles);
  if (!c) return null;
  switch (c.kind) {
    case 'unit': {
      const u = units.get(c.id);
      return u ? [[t(`kinds.${u.kind}`), u.name], ['', t(`status.${u.status}`, { defaultValue: u.status })]] : null;
    }
    case 'camera': {
      const cam = cameras.get(c.id);
      return cam ? [[t('kinds.camera'), cam.name]] : null;
    }
    case 'incident': {
      const i = incidents.get(c.id);
      return i ? [[pick(INCIDENT_CATEGORY_LABELS[i.category], i18n.language), i.description], ['', i.state]] : null;
    }
    case 'task': {
      const task = tasks.get(c.id);
      return task ? [[task.incidentId, `${units.get(task.unitId)?.name ?? task.unitId} · ${task.state}`]] : null;
    }
    case 'sos': {
      const s = sos.get(c.id);
      return s ? [[units.get(s.unitId)?.name ?? s.unitId, s.state]] : null;
    }
    case 'area': {
      const a = areas.get(c.id);
      return a ? [[t(`kinds.${a.kind}`), a.name]] : null;
    }
    case 'mode': {
      const p = profiles?.[c.id as keyof NonNullable<typeof profiles>];
      return p ? [[t('header.mode'), pick(p.profile.label, i18n.language)]] : null;
    }
    default:
      return null;
  }
}

type PanelProps = { entry: TimelineEntry; onClose: () => void; onReplayUnit: (unitId: string) => void; onReplayIncident: (incidentId: string) => void };

/** The incident an entry belongs to: the one it is about, the one its entry names, or its live task's. */
function incidentOf(entry: TimelineEntry, taskIncident: (taskId: string) => string | undefined): string | null {
  if (entry.concerns?.kind === 'incident') return entry.concerns.id;
  const p = entry.payload as { incidentId?: unknown } | null;
  if (typeof p?.incidentId === 'string') return p.incidentId;
  return entry.concerns?.kind === 'task' ? (taskIncident(entry.concerns.id) ?? null) : null;
}

export function ConcernPanel({ entry, onClose, onReplayUnit, onReplayIncident }: PanelProps) {
  const { t } = useTranslation();
  const zone = useHub((s) => s.timeZone);
  const period = usePeriod(zone);
  const clock = useClock();
  const c = entry.concerns;
  const live = useLiveThing(c);
  const [related, setRelated] = useState<TimelineEntry[] | null>(null);
  const about = c?.id ?? null;
  const tasks = useHub((s) => s.tasks);
  const incident = incidentOf(entry, (id) => tasks.get(id)?.incidentId);
  useEffect(() => {
    setRelated(null);
    if (!about) return;
    let stale = false;
    hub.request('audit:timeline', { from: period.from, to: period.to, target: about, limit: 100 })
      .then((r) => !stale && setRelated(r.entries), () => !stale && setRelated([]));
    return () => {
      stale = true;
    };
  }, [about, period.from, period.to]);
  return (
    <aside className="panel ev-panel" data-testid="concern-panel" data-kind={c?.kind ?? 'none'} data-id={c?.id ?? ''}>
      <button type="button" className="close" aria-label={t('evaluator.panel.close')} onClick={onClose}>×</button>
      <h2>{t('evaluator.panel.entry', { seq: entry.seq })}</h2>
      <div className="row"><span className="k">{t('evaluator.timeline.cols.time')}</span><span>{clock(entry.at, true)}</span></div>
      <div className="row"><span className="k">{t('evaluator.timeline.cols.actor')}</span><span>{entry.actor} ({t(`roles.${entry.role}`, { defaultValue: entry.role })})</span></div>
      <div className="row"><span className="k">{t('evaluator.timeline.cols.action')}</span><code>{entry.action}</code></div>
      <div className="row"><span className="k">{t('evaluator.timeline.cols.outcome')}</span>
        <span className={entry.outcome === 'rejected' ? 'err' : 'ok'}>{t(`evaluator.filters.${entry.outcome}`)}</span></div>
      {entry.reason && <div className="row"><span className="k">{t('evaluator.panel.reason')}</span><span>{entry.reason}</span></div>}
      {c && (
        <>
          <h3>{t('evaluator.panel.concerns')}</h3>
          <div className="row" data-testid="concern"><span className="k">{t(`evaluator.panel.kinds.${c.kind}`)}</span><code>{c.id}</code></div>
          {live ? live.map(([k, v], i) => <div className="row" key={i}><span className="k">{k || t('evaluator.panel.liveNow')}</span><span>{v}</span></div>)
            : <p className="muted">{t('evaluator.panel.notLive')}</p>}
          {c.kind === 'unit' && <div className="actions"><button type="button" data-testid="replay-unit" onClick={() => onReplayUnit(c.id)}>{t('evaluator.panel.replayUnit')}</button></div>}
        </>
      )}
      {incident && (
        <div className="actions">
          <button type="button" data-testid="replay-incident-open" onClick={() => onReplayIncident(incident)}>{t('evaluator.panel.replayIncident', { id: incident })}</button>
        </div>
      )}
      <h3>{t('evaluator.panel.payload')}</h3>
      <pre className="ev-payload">{JSON.stringify(entry.payload, null, 2)}</pre>
      <div className="row"><span className="k">{t('evaluator.panel.hash')}</span><code className="hash">{entry.hash}</code></div>
      <div className="row"><span className="k">{t('evaluator.panel.prev')}</span><code className="hash">{entry.prevHash}</code></div>
      {c && (
        <>
          <h3>{t('evaluator.panel.aboutEntries', { id: c.id })}</h3>
          <ul className="list ev-related" data-testid="related">
            {related?.map((e) => (
              <li key={e.seq} aria-current={e.seq === entry.seq}><span className="num">{clock(e.at)}</span><code>{e.action}</code><span>{e.actor}</span></li>
            ))}
          </ul>
        </>
      )}
    </aside>
  );
}

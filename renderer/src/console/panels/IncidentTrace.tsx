// An incident's full trace as the hub records it (`incident:trace`): creation, every task step (who, when,
// where), amendments, alerts and escalations, in the order they happened; the units' tracks during their
// tasks and the linked cameras. Asked again whenever the incident, its tasks or their alerts change.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { IncidentTrace as Trace, TraceEntry } from '../../../../shared/incidents';
import { hub, useHub } from '../../hub';
import { pick } from '../../i18n';
import { useClock } from '../../common/format';
import { select } from '../../state/selection';
import { showTraceTracks } from '../../state/trace-tracks';

function useTrace(incidentId: string, key: string): Trace | null {
  const live = useHub((s) => s.connection.status === 'live');
  const [trace, setTrace] = useState<Trace | null>(null);
  useEffect(() => {
    if (!live) return;
    let gone = false;
    hub.request('incident:trace', { incidentId }).then((r) => { if (!gone) setTrace(r); }, () => undefined);
    return () => { gone = true; };
  }, [incidentId, key, live]);
  return trace;
}

function EntryText({ e }: { e: TraceEntry }) {
  const { t, i18n } = useTranslation();
  const units = useHub((s) => s.units);
  switch (e.kind) {
    case 'created': return <>{t('dispatch.entry.created', { actor: e.actor })} · {t(`dispatch.sources.${e.incident.source.kind}`)}</>;
    case 'step': return (
      <>
        {t('dispatch.entry.step', { unit: units.get(e.unitId)?.name ?? e.unitId, state: t(`taskState.${e.state}`), actor: e.actor })}
        {e.position && <> · {t('dispatch.entry.at', { where: `${e.position[1].toFixed(5)}, ${e.position[0].toFixed(5)}` })}</>}
        {e.note && <> · {e.note}</>}
      </>
    );
    case 'amendment': return <>{t('dispatch.entry.amendment', { actor: e.actor, reason: e.amendment.reason, text: e.amendment.text })}</>;
    case 'alert': return <>{t('dispatch.entry.alert')}: {pick(e.alert.message, i18n.language)}</>;
    case 'closed': return <>{t('dispatch.entry.closed', { actor: e.actor })}{e.resolution && <> · {e.resolution}</>}</>;
  }
}

export function IncidentTrace({ incidentId, refreshKey }: { incidentId: string; refreshKey: string }) {
  const { t } = useTranslation();
  const clock = useClock();
  const units = useHub((s) => s.units);
  const trace = useTrace(incidentId, refreshKey);
  // The tracks go on the map while the trace is open.
  useEffect(() => {
    showTraceTracks(trace?.tracks ?? []);
  }, [trace]);
  useEffect(() => () => showTraceTracks([]), []);
  if (!trace) return null;
  return (
    <section className="trace" data-testid="incident-trace">
      <h3>{t('dispatch.traceTitle')}</h3>
      {trace.entries.length === 0 && <p className="hint">{t('dispatch.traceEmpty')}</p>}
      <ol className="list">
        {trace.entries.map((e, i) => (
          <li key={i} data-testid="trace-entry" data-kind={e.kind} data-state={e.kind === 'step' ? e.state : undefined}>
            <small>{clock(e.at)}</small> <EntryText e={e} />
          </li>
        ))}
      </ol>
      {trace.tracks.length > 0 && (
        <p className="hint" data-testid="trace-tracks">
          {t('dispatch.tracks', { list: trace.tracks.map((x) => t('dispatch.trackOf', { unit: units.get(x.unitId)?.name ?? x.unitId, n: x.fixes.length })).join(' · ') })}
        </p>
      )}
      {trace.cameras.length > 0 && (
        <>
          <h3>{t('dispatch.linkedCameras')}</h3>
          <ul className="list">
            {trace.cameras.map((c) => <li key={c.id}><a onClick={() => select({ kind: 'camera', id: c.id })}>{c.name}</a></li>)}
          </ul>
        </>
      )}
    </section>
  );
}

// A point on the map: where it is, and creating an incident there — category and sub-type, priority, and
// where it came from (the operator's own map point, a camera near it, or a citizen's phone call).
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { INCIDENT_CATEGORY_LABELS, IncidentCategory, PhoneOrigin, type LngLat } from '../../../../shared/domain';
import { distanceM } from '../../../../shared/geo';
import { INCIDENT_SUBTYPES } from '../../../../shared/incidents';
import { hub, useHub, type CommandArgs } from '../../hub';
import { pick } from '../../i18n';
import { OutcomeLine, useCanDispatch, useCommand } from '../../common/commands';
import { select } from '../../state/selection';
import { Row } from './Row';

/** Cameras offered as the source: fixed ones within this distance of the point, nearest first. */
const CAMERA_RADIUS_M = 500;
type SourceKind = 'console' | 'camera' | 'phone';

export function PlacePanel({ at, cameraId }: { at: LngLat; cameraId?: string }) {
  const { t, i18n } = useTranslation();
  const canDispatch = useCanDispatch();
  const cameras = useHub((s) => s.cameras);
  const [category, setCategory] = useState<IncidentCategory>('cityscape');
  const [subtype, setSubtype] = useState('');
  const [priority, setPriority] = useState<1 | 2 | 3>(2);
  const [description, setDescription] = useState('');
  const [sourceKind, setSourceKind] = useState<SourceKind>(cameraId ? 'camera' : 'console');
  const [camera, setCamera] = useState(cameraId ?? '');
  const [caller, setCaller] = useState({ name: '', number: '', text: '' });
  const [outcome, busy, run] = useCommand<{ incident: { id: string } }>();
  const nearCameras = useMemo(() => [...cameras.values()]
    .filter((c) => c.position && (c.id === cameraId || distanceM(c.position, at) <= CAMERA_RADIUS_M))
    .sort((a, b) => distanceM(a.position!, at) - distanceM(b.position!, at)), [cameras, at, cameraId]);
  const chosenCamera = camera || nearCameras[0]?.id || '';

  const source: CommandArgs<'incident:create'>['source'] = sourceKind === 'camera'
    ? { kind: 'camera', cameraId: chosenCamera }
    : sourceKind === 'phone' ? { kind: 'phone', callerName: caller.name, callerNumber: caller.number, text: caller.text } : { kind: 'console' };
  // The number is checked by the hub's own rule as it is typed: the hub's refusal could only say "invalid".
  const badNumber = caller.number.trim() !== '' && !PhoneOrigin.shape.callerNumber.safeParse(caller.number).success;
  const ready = sourceKind === 'console' || (sourceKind === 'camera' && chosenCamera !== '')
    || (sourceKind === 'phone' && caller.name.trim() !== '' && caller.number.trim() !== '' && !badNumber);
  const create = async () => {
    const res = await run((o) => hub.command('incident:create', { category, subtype: subtype || null, priority, position: at, description, source }, o));
    if (res) select({ kind: 'incident', id: res.incident.id });
  };
  return (
    <>
      <h2>{t('kinds.place')}</h2>
      <Row k="" v={`${at[1].toFixed(5)}, ${at[0].toFixed(5)}`} />
      {canDispatch && (
        <div className="form">
          <h3>{t('panel.createHere')}</h3>
          <label>{t('panel.category')}
            <select value={category} onChange={(e) => { setCategory(e.target.value as IncidentCategory); setSubtype(''); }} data-testid="new-category">
              {IncidentCategory.options.map((c) => <option key={c} value={c}>{pick(INCIDENT_CATEGORY_LABELS[c], i18n.language)}</option>)}
            </select>
          </label>
          <label>{t('dispatch.subtype')}
            <select value={subtype} onChange={(e) => setSubtype(e.target.value)} data-testid="new-subtype">
              <option value="">{t('dispatch.anySubtype')}</option>
              {INCIDENT_SUBTYPES[category].map((s) => <option key={s.id} value={s.id}>{pick(s, i18n.language)}</option>)}
            </select>
          </label>
          <label>{t('panel.priority')}
            <select value={priority} onChange={(e) => setPriority(Number(e.target.value) as 1 | 2 | 3)} data-testid="new-priority">
              {[1, 2, 3].map((p) => <option key={p} value={p}>{t(`priority.${p}`)}</option>)}
            </select>
          </label>
          <label>{t('dispatch.source')}
            <select value={sourceKind} onChange={(e) => setSourceKind(e.target.value as SourceKind)} data-testid="new-source">
              {(['console', 'camera', 'phone'] as const).map((k) => <option key={k} value={k}>{t(`dispatch.sources.${k}`)}</option>)}
            </select>
          </label>
          {sourceKind === 'camera' && (nearCameras.length === 0 ? <p className="hint">{t('dispatch.noCamera')}</p> : (
            <label>{t('dispatch.camera')}
              <select value={chosenCamera} onChange={(e) => setCamera(e.target.value)} data-testid="new-camera">
                {nearCameras.map((c) => <option key={c.id} value={c.id}>{c.name} · {Math.round(distanceM(c.position!, at))} m</option>)}
              </select>
            </label>
          ))}
          {sourceKind === 'phone' && (
            <>
              <label>{t('dispatch.callerName')}<input value={caller.name} maxLength={100} required onChange={(e) => setCaller({ ...caller, name: e.target.value })} data-testid="new-caller-name" /></label>
              <label>{t('dispatch.callerNumber')}
                <input value={caller.number} maxLength={24} inputMode="tel" required aria-invalid={badNumber} onChange={(e) => setCaller({ ...caller, number: e.target.value })} data-testid="new-caller-number" />
                {badNumber && <small className="err" data-testid="new-caller-number-problem">{t('dispatch.callerNumberHint')}</small>}
              </label>
              <label>{t('dispatch.callerText')}<textarea value={caller.text} rows={2} maxLength={2000} onChange={(e) => setCaller({ ...caller, text: e.target.value })} data-testid="new-caller-text" /></label>
            </>
          )}
          <label>{t('panel.description')}
            <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={3} maxLength={2000} data-testid="new-description" />
          </label>
          <button type="button" className="primary" disabled={busy || !ready} onClick={create} data-testid="create-incident">{t('panel.create')}</button>
          <OutcomeLine outcome={outcome} />
        </div>
      )}
    </>
  );
}

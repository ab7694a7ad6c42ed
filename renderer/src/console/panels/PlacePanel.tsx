// A point on the map: where it is, and creating an incident there.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { INCIDENT_CATEGORY_LABELS, IncidentCategory, type LngLat } from '../../../../shared/domain';
import { hub } from '../../hub';
import { pick } from '../../i18n';
import { OutcomeLine, useCanDispatch, useCommand } from '../../common/commands';
import { select } from '../../state/selection';
import { Row } from './Row';

export function PlacePanel({ at }: { at: LngLat }) {
  const { t, i18n } = useTranslation();
  const canDispatch = useCanDispatch();
  const [category, setCategory] = useState<IncidentCategory>('cityscape');
  const [priority, setPriority] = useState<1 | 2 | 3>(2);
  const [description, setDescription] = useState('');
  const [outcome, busy, run] = useCommand<{ incident: { id: string } }>();
  const create = async () => {
    const res = await run((o) => hub.command('incident:create', { category, priority, position: at, description }, o));
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
            <select value={category} onChange={(e) => setCategory(e.target.value as IncidentCategory)} data-testid="new-category">
              {IncidentCategory.options.map((c) => <option key={c} value={c}>{pick(INCIDENT_CATEGORY_LABELS[c], i18n.language)}</option>)}
            </select>
          </label>
          <label>{t('panel.priority')}
            <select value={priority} onChange={(e) => setPriority(Number(e.target.value) as 1 | 2 | 3)}>
              {[1, 2, 3].map((p) => <option key={p} value={p}>{t(`priority.${p}`)}</option>)}
            </select>
          </label>
          <label>{t('panel.description')}
            <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={3} maxLength={2000} />
          </label>
          <button type="button" className="primary" disabled={busy} onClick={create} data-testid="create-incident">{t('panel.create')}</button>
          <OutcomeLine outcome={outcome} />
        </div>
      )}
    </>
  );
}

// A district, grid cell or post, and the officers assigned to it.
import { useTranslation } from 'react-i18next';
import type { LngLat } from '../../../../shared/domain';
import { useCanDispatch } from '../../common/commands';
import { useHub } from '../../hub';
import { flyTo } from '../../map/focus';
import { select } from '../../state/selection';
import { Row } from './Row';

export function AreaPanel({ id, at }: { id: string; at?: LngLat }) {
  const { t } = useTranslation();
  const canDispatch = useCanDispatch();
  const area = useHub((s) => s.areas.get(id));
  const units = useHub((s) => s.units);
  if (!area) return null;
  const assigned = [...units.values()].filter((u) => u.cellId === id || u.postId === id);
  return (
    <>
      <h2>{area.name}</h2>
      <Row k={t(`kinds.${area.kind}`)} v={area.id} />
      {canDispatch && at && (
        <div className="actions">
          <button type="button" className="primary" data-testid="create-here" onClick={() => select({ kind: 'place', at })}>{t('pick.createHere')}</button>
        </div>
      )}
      {assigned.length > 0 && (
        <ul className="list">
          {assigned.map((u) => (
            <li key={u.id}>
              <a onClick={() => { select({ kind: 'unit', id: u.id }); flyTo({ kind: 'unit', id: u.id }); }}>{u.name}</a> · {t(`status.${u.status}`)}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

// A district, grid cell or post, and the officers assigned to it.
import { useTranslation } from 'react-i18next';
import { useHub } from '../../hub';
import { flyTo } from '../../map/focus';
import { select } from '../../state/selection';
import { Row } from './Row';

export function AreaPanel({ id }: { id: string }) {
  const { t } = useTranslation();
  const area = useHub((s) => s.areas.get(id));
  const units = useHub((s) => s.units);
  if (!area) return null;
  const assigned = [...units.values()].filter((u) => u.cellId === id || u.postId === id);
  return (
    <>
      <h2>{area.name}</h2>
      <Row k={t(`kinds.${area.kind}`)} v={area.id} />
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

// A patrol route: its roads, the modes it runs in, the vehicles on it.
import { useTranslation } from 'react-i18next';
import { useHub } from '../../hub';
import { pick } from '../../i18n';
import { flyTo } from '../../map/focus';
import { select } from '../../state/selection';
import { profileOf } from '../../state/modes';
import { Row } from './Row';

export function RoutePanel({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const route = useHub((s) => s.routes.get(id));
  const units = useHub((s) => s.units);
  const profiles = useHub((s) => s.profiles);
  if (!route) return null;
  const on = [...units.values()].filter((u) => u.routeId === id);
  return (
    <>
      <h2>{route.name}</h2>
      <Row k={t('kinds.route')} v={route.roads.join(' · ')} />
      <Row k={t('header.mode')} v={route.modes.map((m) => pick(profileOf({ profiles }, m).label, i18n.language)).join(' · ')} />
      <ul className="list">
        {on.map((u) => (
          <li key={u.id}><a onClick={() => { select({ kind: 'unit', id: u.id }); flyTo({ kind: 'unit', id: u.id }); }}>{u.name}</a> · {u.plate}</li>
        ))}
      </ul>
    </>
  );
}

// The point / line / area / incident switches, with how many of each there are.
import { useTranslation } from 'react-i18next';
import { useHub } from '../hub';
import { LAYER_GROUPS, toggleLayer, useLayerSwitches } from '../state/layers';

export function LayerSwitchList() {
  const { t } = useTranslation();
  const on = useLayerSwitches();
  const counts = useHub((s) => s.cameras.size + ',' + s.routes.size + ',' + s.areas.size + ',' + [...s.incidents.values()].filter((i) => i.state !== 'closed').length);
  const [cams, routes, areas, incidents] = counts.split(',');
  const n = { points: cams, lines: routes, areas, incidents };
  return (
    <section className="box">
      <h3>{t('layers.title')}</h3>
      {LAYER_GROUPS.map((g) => (
        <label key={g} className="switch">
          <input type="checkbox" checked={on[g]} onChange={() => toggleLayer(g)} data-testid={`layer-${g}`} />
          <span>{t(`layers.${g}`)}</span>
          <span className="count">{n[g]}</span>
        </label>
      ))}
    </section>
  );
}

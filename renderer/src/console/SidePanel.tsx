// Right column: details of what was selected, and what the operator can do about it (one file per kind in panels/).
import { useTranslation } from 'react-i18next';
import { select, useSelection, type Selection } from '../state/selection';
import { AreaPanel } from './panels/AreaPanel';
import { CameraPanel } from './panels/CameraPanel';
import { IncidentPanel } from './panels/IncidentPanel';
import { PlacePanel } from './panels/PlacePanel';
import { RoutePanel } from './panels/RoutePanel';
import { UnitPanel } from './panels/UnitPanel';

function body(sel: Selection) {
  switch (sel.kind) {
    case 'camera': return <CameraPanel id={sel.id} />;
    case 'unit': return <UnitPanel id={sel.id} />;
    case 'incident': return <IncidentPanel id={sel.id} />;
    case 'area': return <AreaPanel id={sel.id} at={sel.at} />;
    case 'route': return <RoutePanel id={sel.id} />;
    case 'place': return <PlacePanel at={sel.at} cameraId={sel.cameraId} />;
  }
}

export function SidePanel() {
  const { t } = useTranslation();
  const sel = useSelection();
  if (!sel) return null;
  return (
    <aside className="panel" data-testid="side-panel" data-kind={sel.kind} data-id={'id' in sel ? sel.id : ''}>
      <button type="button" className="close" onClick={() => select(null)} aria-label={t('panel.close')}>×</button>
      <div className="panel-body" key={sel.kind === 'place' ? sel.at.join(',') : `${sel.kind}:${sel.id}`}>{body(sel)}</div>
    </aside>
  );
}

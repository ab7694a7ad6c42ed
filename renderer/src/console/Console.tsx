// The operator's main screen: header, search + layers + legend, the one map with its layers, the side
// panel, and alarms on top.
import { useTranslation } from 'react-i18next';
import { MODE_PROFILES } from '../../../shared/modes';
import { useHub } from '../hub';
import { MapView } from '../map/MapView';
import { AreasLayer } from '../map/layers/AreaLayers';
import { BasemapLayer } from '../map/layers/BasemapLayer';
import { CamerasLayer } from '../map/layers/CamerasLayer';
import { IncidentsLayer } from '../map/layers/IncidentsLayer';
import { RoutesLayer } from '../map/layers/RoutesLayer';
import { SelectionLayer } from '../map/layers/SelectionLayer';
import { OfficersLayer, VehiclesLayer } from '../map/layers/UnitLayers';
import { AlarmBar } from '../common/AlarmBar';
import { Header } from './Header';
import { useLayerSwitches } from '../state/layers';
import { SidePanel } from './SidePanel';
import { Sidebar } from './Sidebar';

export function Console() {
  const { i18n } = useTranslation();
  const on = useLayerSwitches();
  const theme = useHub((s) => MODE_PROFILES[s.mode?.mode ?? 'daily'].mapTheme);
  return (
    <div className={`console theme-${theme}`}>
      <Header />
      <div className="body">
        <Sidebar />
        <main className="stage">
          <MapView>
            <BasemapLayer theme={theme} lang={i18n.language} />
            <AreasLayer visible={on.areas} />
            <RoutesLayer visible={on.lines} />
            <VehiclesLayer visible={on.lines} />
            <OfficersLayer visible={on.areas} />
            <CamerasLayer visible={on.points} />
            <IncidentsLayer visible={on.incidents} lang={i18n.language} />
            <SelectionLayer />
          </MapView>
          <AlarmBar />
        </main>
        <SidePanel />
      </div>
    </div>
  );
}

// The map wall: the console's map and layers, every layer on, no sidebars, alarms on top.
import { useTranslation } from 'react-i18next';
import { MODE_PROFILES } from '../../../shared/modes';
import { useHub } from '../hub';
import { MapView } from '../map/MapView';
import { AreasLayer } from '../map/layers/AreaLayers';
import { BasemapLayer } from '../map/layers/BasemapLayer';
import { CamerasLayer } from '../map/layers/CamerasLayer';
import { IncidentsLayer } from '../map/layers/IncidentsLayer';
import { RoutesLayer } from '../map/layers/RoutesLayer';
import { OfficersLayer, VehiclesLayer } from '../map/layers/UnitLayers';
import { AlarmBar } from '../common/AlarmBar';
import { WallStrip } from './WallStrip';

export function MapWall() {
  const { i18n } = useTranslation();
  const theme = useHub((s) => MODE_PROFILES[s.mode?.mode ?? 'daily'].mapTheme);
  const live = useHub((s) => s.connection.status === 'live');
  return (
    <div className={`wall-map theme-${theme}`}>
      <WallStrip />
      <main className="stage">
        <MapView>
          <BasemapLayer theme={theme} lang={i18n.language} />
          <AreasLayer visible known={live} />
          <RoutesLayer visible />
          <VehiclesLayer visible />
          <OfficersLayer visible />
          <CamerasLayer visible known={live} />
          <IncidentsLayer visible lang={i18n.language} />
        </MapView>
        <AlarmBar />
      </main>
    </div>
  );
}

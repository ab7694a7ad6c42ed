// The map wall: the console's map and layers, every layer on, no sidebars, alarms on top.
import { useTranslation } from 'react-i18next';
import { useLiveCity } from '../state/live-city';
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
  const city = useLiveCity();
  const theme = city.profiles[city.mode].mapTheme;
  return (
    <div className={`wall-map theme-${theme}`}>
      <WallStrip />
      <main className="stage">
        <MapView>
          <BasemapLayer theme={theme} lang={i18n.language} />
          <AreasLayer city={city} visible />
          <RoutesLayer city={city} visible />
          <VehiclesLayer city={city} visible />
          <OfficersLayer city={city} visible />
          <CamerasLayer city={city} visible />
          <IncidentsLayer city={city} visible lang={i18n.language} />
        </MapView>
        <AlarmBar />
      </main>
    </div>
  );
}

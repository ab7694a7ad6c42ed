// The operator's main screen: header, search + layers + legend, the one map with its layers, the side
// panel, and alarms on top.
import { useCallback, useMemo, useState, type CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import type { Sos } from '../../../shared/domain';
import { useLiveCity } from '../state/live-city';
import { MapView, type MapPick } from '../map/MapView';
import { AreasLayer } from '../map/layers/AreaLayers';
import { BasemapLayer } from '../map/layers/BasemapLayer';
import { CamerasLayer } from '../map/layers/CamerasLayer';
import { IncidentsLayer } from '../map/layers/IncidentsLayer';
import { RoutesLayer } from '../map/layers/RoutesLayer';
import { SelectionLayer } from '../map/layers/SelectionLayer';
import { TraceTracksLayer } from '../map/layers/TraceTracksLayer';
import { OfficersLayer, VehiclesLayer } from '../map/layers/UnitLayers';
import { AlarmBar } from '../common/AlarmBar';
import { OutageBanner } from '../common/OutageBanner';
import { SosAlarm } from '../common/SosAlarm';
import { StorageBanner } from '../common/StorageBanner';
import { SosActions } from './SosPanel';
import { Header } from './Header';
import { EmergencyList } from './ModeSwitch';
import { useLayerSwitches } from '../state/layers';
import { useTraceTracks } from '../state/trace-tracks';
import { WALL_MIN_LABEL_PX, WALL_ZOOM, useScale } from '../state/scale';
import { select, useSelection, type Selection } from '../state/selection';
import { PickChooser, type Chooser } from './PickChooser';
import { WallPanel } from './WallPanel';
import { VoicePanel } from './VoicePanel';
import { SidePanel } from './SidePanel';
import { Sidebar } from './Sidebar';

/** Point-like things: when two of them share a click, the operator is asked which one was meant. */
const POINTLIKE = new Set<Selection['kind']>(['unit', 'camera', 'incident']);

const WALL_PANEL_KEY = 'xiuhua.wallPanel';
const sosActions = (sos: Sos) => <SosActions sos={sos} />;

export function Console() {
  const { t, i18n } = useTranslation();
  const [chooser, setChooser] = useState<Chooser | null>(null);
  const [wallOpen, setWallOpen] = useState(() => localStorage.getItem(WALL_PANEL_KEY) === 'open');
  const toggleWall = () => setWallOpen((o) => {
    localStorage.setItem(WALL_PANEL_KEY, o ? 'closed' : 'open');
    return !o;
  });
  const closeChooser = useCallback(() => setChooser(null), []);
  const onPick = useCallback((p: MapPick) => {
    setChooser(null);
    if (p.how === 'create') return select({ kind: 'place', at: p.at });
    if (p.how === 'menu') return setChooser({ at: p.at, point: p.point, candidates: p.candidates });
    const top = p.candidates[0];
    if (!top) return select({ kind: 'place', at: p.at });
    // The most specific thing wins at once; an area keeps where it was clicked, for "create incident here".
    select(top.kind === 'area' ? { ...top, at: p.at } : top);
    if (p.candidates.filter((c) => POINTLIKE.has(c.kind)).length > 1) setChooser({ at: p.at, point: p.point, candidates: p.candidates });
  }, []);
  const on = useLayerSwitches();
  const city = useLiveCity();
  const traceTracks = useTraceTracks();
  const theme = city.profiles[city.mode].mapTheme;
  const selection = useSelection();
  const scale = useScale();
  const textScale = useMemo(() => (scale === 'wall' ? { factor: WALL_ZOOM, minPx: WALL_MIN_LABEL_PX } : undefined), [scale]);
  return (
    <div className={`console theme-${theme} scale-${scale}`} data-scale={scale} style={{ '--ui-zoom': scale === 'wall' ? WALL_ZOOM : 1 } as CSSProperties}>
      <Header />
      <OutageBanner />
      <StorageBanner />
      <EmergencyList />
      <div className="body">
        <Sidebar />
        <main className="stage">
          <div className="map-area">
            <MapView onPick={onPick} textScale={textScale}>
              <BasemapLayer theme={theme} lang={i18n.language} />
              <AreasLayer city={city} visible={on.areas} />
              <RoutesLayer city={city} visible={on.lines} />
              <VehiclesLayer city={city} visible={on.lines} />
              <OfficersLayer city={city} visible={on.areas} />
              <CamerasLayer city={city} visible={on.points} />
              <IncidentsLayer city={city} visible={on.incidents} lang={i18n.language} />
              <SelectionLayer city={city} selection={selection} />
              <TraceTracksLayer tracks={traceTracks} />
            </MapView>
            <SosAlarm actions={sosActions} />
            <AlarmBar />
            <VoicePanel />
            {chooser && <PickChooser chooser={chooser} onClose={closeChooser} />}
            <button type="button" className="wall-toggle" aria-pressed={wallOpen} onClick={toggleWall} data-testid="wall-toggle">{t('wallPanel.toggle')}</button>
          </div>
          {wallOpen && <WallPanel />}
        </main>
        <SidePanel />
      </div>
    </div>
  );
}

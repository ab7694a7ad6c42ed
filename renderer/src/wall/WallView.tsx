// A wall display's content: the map, the video wall or the dashboard, full screen, no operator chrome;
// an open SOS on a banner above it, whichever it is, and a storage fault of the hub's.
import { SosAlarm } from '../common/SosAlarm';
import { StorageBanner } from '../common/StorageBanner';
import { Dashboard } from './Dashboard';
import { MapWall } from './MapWall';
import type { WallRoute } from './route';
import { VideoWallScreen } from './VideoWallScreen';
import './wall.css';

export function WallView({ route }: { route: WallRoute }) {
  return (
    <div className={`wall wall-${route.view}`} data-testid="wall" data-view={route.view}>
      <SosAlarm wall />
      <StorageBanner />
      {route.view === 'video-wall' && <VideoWallScreen displayKey={route.display} />}
      {route.view === 'map-wall' && <MapWall />}
      {route.view === 'dashboard' && <Dashboard />}
    </div>
  );
}

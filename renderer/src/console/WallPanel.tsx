// The console's own video wall: a strip under the map, four tiles by default, filled by dragging a camera
// onto a tile or by "show on wall" in a camera's panel. Remembered like any wall (display key 'console').
import { useCallback, useMemo, useState } from 'react';
import { hub, useHub } from '../hub';
import { useWallEndpoint } from '../common/wall-link';
import { VideoWall } from '../video';

export const CONSOLE_WALL = 'console';
const streamUrl = (cameraId: string) => hub.streamUrl(cameraId);

export function WallPanel() {
  const cameraMap = useHub((s) => s.cameras);
  const unitMap = useHub((s) => s.units);
  const streams = useHub((s) => s.streams);
  const skew = useHub((s) => s.clockSkewMs);
  const cameras = useMemo(() => [...cameraMap.values()], [cameraMap]);
  const units = useMemo(() => [...unitMap.values()], [unitMap]);
  const health = useMemo(() => Object.fromEntries(streams), [streams]);
  const [focus, setFocus] = useState<{ cameraId: string; at: number; slot: number } | null>(null);
  const [tiles, setTiles] = useState(0);
  const onPut = useCallback((slot: number, cameraId: string) => setFocus({ cameraId, slot, at: performance.now() }), []);
  useWallEndpoint(CONSOLE_WALL, tiles, onPut);
  return (
    <section className="wall-panel" data-testid="wall-panel">
      <VideoWall
        displayKey={CONSOLE_WALL}
        cameras={cameras}
        units={units}
        health={health}
        getStreamUrl={streamUrl}
        preset={{ layout: '4', cameraIds: [] }}
        focus={focus}
        onTiles={setTiles}
        hubClockOffsetMs={skew}
      />
    </section>
  );
}

// The video wall display: the active mode's wall preset (layout + key cameras in order). What the operator
// changes is saved per display and per mode, so switching to emergency brings up that mode's wall and
// switching back restores the daily one as it was left. While an SOS is open the wall shows it instead —
// the officer's body camera large, the nearest fixed cameras around it — and returns when it is resolved.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useWallEndpoint } from '../common/wall-link';
import { openSos, sosCameras } from '../common/sos';
import { MODE_PROFILES } from '../../../shared/modes';
import { hub, useHub } from '../hub';
import { forgetWall, VideoWall } from '../video';
import { WallStrip } from './WallStrip';

const streamUrl = (cameraId: string) => hub.streamUrl(cameraId);

export function VideoWallScreen({ displayKey }: { displayKey: string }) {
  const modeName = useHub((s) => s.mode?.mode ?? 'daily');
  const cameraMap = useHub((s) => s.cameras);
  const unitMap = useHub((s) => s.units);
  const streams = useHub((s) => s.streams);
  const skew = useHub((s) => s.clockSkewMs);
  const ready = useHub((s) => s.ready);
  const cameras = useMemo(() => [...cameraMap.values()], [cameraMap]);
  const units = useMemo(() => [...unitMap.values()], [unitMap]);
  const health = useMemo(() => Object.fromEntries(streams), [streams]);
  const wall = MODE_PROFILES[modeName].wall;
  // "Show on wall ▸ tile n" from a console of this machine.
  const [focus, setFocus] = useState<{ cameraId: string; at: number; slot: number } | null>(null);
  const [tiles, setTiles] = useState(0);
  const onPut = useCallback((slot: number, cameraId: string) => setFocus({ cameraId, slot, at: performance.now() }), []);
  useWallEndpoint(`wall-${displayKey}`, tiles, onPut);
  const preset = useMemo(
    () => ({
      layout: wall.layout,
      cameraIds: wall.cameras === 'key' ? cameras.filter((c) => c.key).map((c) => c.id) : wall.cameras,
    }),
    [wall, cameras],
  );
  // The newest open SOS takes the wall; its own layout key, so the mode's wall is left as it was.
  const sos = useHub((s) => openSos(s).at(-1) ?? null);
  const sosId = sos?.id ?? null;
  const sosPreset = useMemo(
    () => (sos ? { layout: '1+5' as const, cameraIds: sosCameras({ units: unitMap, cameras: cameraMap }, sos) } : null),
    // The cameras are chosen once, where it was pressed; a later update of the SOS does not reshuffle the wall.
    [sosId],
  );
  const sosKey = sosId ? `wall-${displayKey}-sos-${sosId}` : null;
  useEffect(() => (sosKey ? () => forgetWall(sosKey) : undefined), [sosKey]);
  return (
    <div className="wall-video">
      <WallStrip />
      {/* The preset is read when the wall first mounts; wait for the snapshot so it has the key cameras. */}
      {ready && (
        <VideoWall
          key={sosKey ?? modeName}
          displayKey={sosKey ?? `wall-${displayKey}-${modeName}`}
          cameras={cameras}
          units={units}
          health={health}
          getStreamUrl={streamUrl}
          preset={sosPreset ?? preset}
          hubClockOffsetMs={skew}
          focus={focus}
          onTiles={setTiles}
        />
      )}
    </div>
  );
}

// The video wall display: this display's preset in the mode in force for it (preset.ts: the city's
// mode, or an emergency declared for an area it covers). What the operator changes is saved per display
// and per preset, so an emergency brings up its wall and its end restores the previous one as it was left.
// While an SOS is open the wall shows it instead — the officer's body camera large, the nearest fixed
// cameras around it — and returns when it is resolved.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useWallEndpoint } from '../common/wall-link';
import { openSos, sosCameras } from '../common/sos';
import { useNow } from '../common/useNow';
import type { ModeName } from '../../../shared/domain';
import type { ModeProfile } from '../../../shared/modes';
import { hub, useHub } from '../hub';
import { pick } from '../i18n';
import { areaOverrides, cityModeOf, profileOf } from '../state/modes';
import { forgetWall, VideoWall } from '../video';
import { wallFor } from './preset';
import { WallStrip } from './WallStrip';

const MODES: readonly ModeName[] = ['daily', 'night', 'holiday', 'emergency'];

const streamUrl = (cameraId: string) => hub.streamUrl(cameraId);

export function VideoWallScreen({ displayKey }: { displayKey: string }) {
  const { t, i18n } = useTranslation();
  const cityChange = useHub((s) => s.mode);
  const areaModes = useHub((s) => s.areaModes);
  const stored = useHub((s) => s.profiles);
  const areas = useHub((s) => s.areas);
  const cameraMap = useHub((s) => s.cameras);
  const unitMap = useHub((s) => s.units);
  const streams = useHub((s) => s.streams);
  const skew = useHub((s) => s.clockSkewMs);
  const ready = useHub((s) => s.ready);
  const cameras = useMemo(() => [...cameraMap.values()], [cameraMap]);
  const units = useMemo(() => [...unitMap.values()], [unitMap]);
  const health = useMemo(() => Object.fromEntries(streams), [streams]);
  // An end time passing changes what holds even before the hub's end event arrives.
  const hubNow = useNow() + skew;
  // "Show on wall ▸ tile n" from a console of this machine.
  const [focus, setFocus] = useState<{ cameraId: string; at: number; slot: number } | null>(null);
  const [tiles, setTiles] = useState(0);
  const onPut = useCallback((slot: number, cameraId: string) => setFocus({ cameraId, slot, at: performance.now() }), []);
  useWallEndpoint(`wall-${displayKey}`, tiles, onPut);
  const profiles = useMemo(() => Object.fromEntries(MODES.map((m) => [m, profileOf({ profiles: stored }, m)])) as Record<ModeName, ModeProfile>, [stored]);
  // Cheap (a few hundred cameras), so worked out on each tick; the wall remounts only when wall.key changes.
  const wall = wallFor({ displayId: displayKey, cityMode: cityModeOf({ mode: cityChange }, hubNow), profiles, overrides: areaOverrides({ areaModes }, hubNow), areas, cameras });
  const preset = { layout: wall.layout, cameraIds: wall.cameraIds };
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
    <div className="wall-video" data-testid="wall-preset" data-mode={wall.mode} data-areas={wall.areaIds.join(' ')}>
      <WallStrip />
      {/* An emergency is named across the wall, for an area or the whole city (the strip's badge alone was too small to read from afar). */}
      {(wall.areaIds.length > 0 || wall.mode === 'emergency') && (
        <div className={`wall-area-mode mode-${wall.mode}`} data-testid="wall-area-mode">
          {t('modeHere.wallArea', {
            mode: pick(profiles[wall.mode].label, i18n.language),
            areas: wall.areaIds.length > 0 ? wall.areaIds.map((id) => areas.get(id)?.name ?? id).join('、') : t('modeHere.city'),
          })}
        </div>
      )}
      {/* The preset is read when the wall first mounts; wait for the snapshot so it has the key cameras. */}
      {ready && (
        <VideoWall
          key={sosKey ?? wall.key}
          displayKey={sosKey ?? `wall-${wall.key}`}
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

// The video wall: a layout of VideoTiles, filled by dropping cameras on tiles, remembered per display.
import { useEffect, useMemo, useState, type DragEvent } from 'react';
import type { Camera, Unit } from '../../../shared/domain';
import type { StreamHealth } from '../../../shared/protocol/events';
import { MAX_TILES, WALL_LAYOUTS, layoutGeometry, type WallLayout } from './layouts';
import { spreadOverHosts } from './media-hosts';
import { useVideoTexts } from './texts';
import { VideoTile } from './VideoTile';
import {
  CAMERA_DRAG_TYPE, SLOT_DRAG_TYPE, emptyWall, fromPreset, loadWall, saveWall, type TileContent, type WallState,
} from './wall-state';
import './video.css';

export type VideoWallProps = {
  /** which display this wall is on (e.g. 'console' or 'wall-2'); its content is saved under this key */
  displayKey: string;
  cameras: Camera[];
  /** lets vehicle and body-worn tiles follow their unit when its camera changes */
  units?: Unit[];
  health: Readonly<Record<string, StreamHealth | undefined>>;
  getStreamUrl: (cameraId: string) => Promise<string>;
  /** what to show when this display has nothing saved yet, e.g. the active mode's wall preset */
  preset?: { layout: WallLayout; cameraIds: (string | null)[] };
  /**
   * a camera picked elsewhere (map, list, "show on wall"): plays in tile `slot` (default the first, the focus
   * tile); `at` is performance.now() of the click. Pass a new object per request.
   */
  focus?: { cameraId: string; at: number; slot?: number } | null;
  /** told how many tiles the current layout has (so others can offer "tile 1…n") */
  onTiles?: (n: number) => void;
  hubClockOffsetMs?: number;
  /**
   * Host names that all reach the hub (e.g. its DNS name and its IP): tiles spread their requests over them
   * to get past the browser's six connections per host. Default: 127.0.0.1 and localhost for a local hub;
   * pass one name to turn spreading off.
   */
  mediaHosts?: string[];
  /** how often each tile renews its media URL (default: every minute; tests shorten it) */
  renewUrlEveryMs?: number;
  onFirstFrame?: (cameraId: string, ms: number) => void;
  /** show each tile's engineering figures (first frame, latency): the video lab and a details view */
  details?: boolean;
};

/** A camera that rides with a unit is put on the wall as "follow that unit". */
function contentFor(camera: Camera): TileContent {
  return camera.unitId && camera.kind !== 'fixed' ? { kind: 'unit', unitId: camera.unitId } : { kind: 'camera', cameraId: camera.id };
}

function sameContent(a: TileContent | null, b: TileContent | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function VideoWall(props: VideoWallProps) {
  const { displayKey, cameras, units, health, getStreamUrl, preset, focus, hubClockOffsetMs, mediaHosts, renewUrlEveryMs, onFirstFrame, details, onTiles } = props;
  const t = useVideoTexts();
  const [wall, setWall] = useState<WallState>(
    () => loadWall(displayKey) ?? (preset ? fromPreset(preset.layout, preset.cameraIds) : emptyWall()),
  );
  const [enlarged, setEnlarged] = useState<number | null>(null);
  const [requestedAt, setRequestedAt] = useState<Record<number, number>>({});

  useEffect(() => { saveWall(displayKey, wall); }, [displayKey, wall]);

  // One URL getter per slot, stable across renders so tiles do not restart.
  const urlForSlot = useMemo(
    () => Array.from({ length: MAX_TILES }, (_, slot) => (cameraId: string) =>
      getStreamUrl(cameraId).then((url) => spreadOverHosts(url, slot, mediaHosts, window.location.href))),
    [getStreamUrl, mediaHosts],
  );
  const cameraById = useMemo(() => new Map(cameras.map((c) => [c.id, c])), [cameras]);
  const unitById = useMemo(() => new Map((units ?? []).map((u) => [u.id, u])), [units]);

  function resolve(content: TileContent | null): { camera: Camera | null; subtitle?: string } {
    if (!content) return { camera: null };
    if (content.kind === 'camera') return { camera: cameraById.get(content.cameraId) ?? null };
    const unit = unitById.get(content.unitId);
    const cameraId = unit?.cameraId ?? cameras.find((c) => c.unitId === content.unitId)?.id;
    const camera = cameraId ? cameraById.get(cameraId) ?? null : null;
    const who = unit ? unit.plate ?? unit.name : content.unitId;
    return { camera, subtitle: `${t.following} ${who}` };
  }

  function put(slot: number, content: TileContent | null, at = performance.now()): void {
    setWall((w) => {
      if (sameContent(w.slots[slot] ?? null, content)) return w;
      const slots = [...w.slots];
      slots[slot] = content;
      return { ...w, slots };
    });
    setRequestedAt((r) => ({ ...r, [slot]: at }));
  }

  // A camera clicked on the map goes to the focus tile (the first one).
  useEffect(() => {
    if (!focus) return;
    const camera = cameraById.get(focus.cameraId);
    if (!camera) return;
    const slot = focus.slot ?? 0;
    put(slot, contentFor(camera), focus.at);
    setEnlarged((e) => (e === null || e === slot ? e : null));
    // Only a new focus request (a new click) moves a camera, not a change in the camera list.
  }, [focus]);

  function onDragOver(e: DragEvent): void {
    if (e.dataTransfer.types.includes(CAMERA_DRAG_TYPE)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = e.dataTransfer.types.includes(SLOT_DRAG_TYPE) ? 'move' : 'copy';
    }
  }

  function onDrop(slot: number, e: DragEvent): void {
    e.preventDefault();
    const from = e.dataTransfer.getData(SLOT_DRAG_TYPE);
    if (from !== '') {
      const source = Number(from);
      setWall((w) => {
        const slots = [...w.slots];
        [slots[slot], slots[source]] = [slots[source] ?? null, slots[slot] ?? null];
        return { ...w, slots };
      });
      return;
    }
    const camera = cameraById.get(e.dataTransfer.getData(CAMERA_DRAG_TYPE));
    if (camera) put(slot, contentFor(camera));
  }

  function onDragStart(slot: number, camera: Camera, e: DragEvent): void {
    e.dataTransfer.setData(CAMERA_DRAG_TYPE, camera.id);
    e.dataTransfer.setData(SLOT_DRAG_TYPE, String(slot));
    e.dataTransfer.effectAllowed = 'copyMove';
  }

  const geometry = layoutGeometry(wall.layout);
  const tileCount = geometry.cells.length;
  useEffect(() => onTiles?.(tileCount), [onTiles, tileCount]);
  const shown = geometry.cells.map((cell, slot) => ({ cell, slot })).filter(({ slot }) => enlarged === null || slot === enlarged);

  return (
    <div className="xv-wall" data-layout={wall.layout}>
      <div className="xv-toolbar" role="toolbar" aria-label={t.layout}>
        {WALL_LAYOUTS.map((layout) => (
          <button
            key={layout}
            type="button"
            aria-pressed={wall.layout === layout}
            onClick={() => { setEnlarged(null); setWall((w) => ({ ...w, layout })); }}
          >
            {layout}
          </button>
        ))}
      </div>
      <div
        className="xv-grid"
        style={{ gridTemplateColumns: `repeat(${geometry.columns}, 1fr)`, gridTemplateRows: `repeat(${geometry.columns}, 1fr)` }}
      >
        {shown.map(({ cell, slot }) => {
          const content = wall.slots[slot] ?? null;
          const { camera, subtitle } = resolve(content);
          const area = enlarged === slot
            ? { gridColumn: '1 / -1', gridRow: '1 / -1' }
            : { gridColumn: `${cell.col} / span ${cell.span}`, gridRow: `${cell.row} / span ${cell.span}` };
          return (
            <div
              key={`slot-${slot}`}
              className="xv-cell"
              data-slot={slot}
              style={area}
              draggable={camera !== null}
              onDragStart={camera ? (e) => onDragStart(slot, camera, e) : undefined}
              onDragOver={onDragOver}
              onDrop={(e) => onDrop(slot, e)}
            >
              {content && !camera && content.kind === 'camera'
                ? <div className="xv-tile xv-empty" data-phase="missing">{t.noCamera}</div>
                : (
                  <VideoTile
                    camera={camera}
                    getStreamUrl={urlForSlot[slot] ?? getStreamUrl}
                    health={camera ? health[camera.id] : undefined}
                    requestedAt={requestedAt[slot]}
                    hubClockOffsetMs={hubClockOffsetMs}
                    renewUrlEveryMs={renewUrlEveryMs}
                    subtitle={subtitle}
                    onFirstFrame={onFirstFrame}
                    details={details}
                    onDoubleClick={() => setEnlarged((e) => (e === slot ? null : slot))}
                  />
                )}
              {content && (
                <button type="button" className="xv-clear" title={t.clear} aria-label={t.clear} onClick={() => put(slot, null)}>×</button>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}

// A camera: its stream's state, what it rides on, and its video on request.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hub, useHub } from '../../hub';
import { streamLook } from '../../map/layers/CamerasLayer';
import { select } from '../../state/selection';
import { CAMERA_DRAG_TYPE, VideoTile } from '../../video';
import { useCanDispatch } from '../../common/commands';
import { putOnWall, useWalls } from '../../common/wall-link';
import { CONSOLE_WALL } from '../WallPanel';
import { Row } from './Row';

const getStreamUrl = (cameraId: string) => hub.streamUrl(cameraId);

export function CameraPanel({ id }: { id: string }) {
  const { t } = useTranslation();
  const cam = useHub((s) => s.cameras.get(id));
  const health = useHub((s) => s.streams.get(id));
  const unit = useHub((s) => (cam?.unitId ? s.units.get(cam.unitId) : undefined));
  const skew = useHub((s) => s.clockSkewMs);
  // Without the hub, the last health report is old news: the state is unknown, not "live".
  const known = useHub((s) => s.connection.status === 'live');
  const [requestedAt, setRequestedAt] = useState<number | null>(null);
  const [details, setDetails] = useState(false);
  const walls = useWalls();
  const canDispatch = useCanDispatch();
  const [wallId, setWallId] = useState('');
  if (!cam) return null;
  const look = known ? streamLook(health) : 'unknown';
  return (
    <>
      {/* The name is the drag handle: drop it on any tile of any wall of this console. */}
      <h2 draggable title={t('wallPanel.drag')} data-testid="camera-drag" className="drag-handle"
        onDragStart={(e) => { e.dataTransfer.setData(CAMERA_DRAG_TYPE, cam.id); e.dataTransfer.effectAllowed = 'copy'; }}>{cam.name}</h2>
      <Row k={t('kinds.camera')} v={t(`camKind.${cam.kind}`)} />
      <Row k={t('panel.state')} v={<span className={`pill look-${look}`} data-testid="stream-look">{t(`stream.${look}`)}</span>} />
      {known && health?.reason && <Row k="" v={health.reason} />}
      {cam.key && <Row k="" v={t('panel.key')} />}
      {cam.facing !== null && <Row k="" v={t('panel.facing', { deg: Math.round(cam.facing) })} />}
      {unit && <Row k="" v={<a onClick={() => select({ kind: 'unit', id: unit.id })}>{t('panel.rides', { unit: unit.name })}</a>} />}
      <div className="actions">
        <button type="button" className="primary" onClick={() => setRequestedAt(performance.now())} data-testid="open-video">{t('panel.openVideo')}</button>
        {canDispatch && cam.position && (
          <button type="button" onClick={() => select({ kind: 'place', at: cam.position!, cameraId: cam.id })} data-testid="incident-from-camera">{t('dispatch.fromCamera')}</button>
        )}
        {requestedAt !== null && (
          <button type="button" aria-pressed={details} onClick={() => setDetails((d) => !d)} data-testid="video-details">{t('panel.details')}</button>
        )}
      </div>
      {walls.length > 0 && (
        <div className="form show-on-wall">
          <h3>{t('wallPanel.showOn')}</h3>
          <select value={wallId} onChange={(e) => setWallId(e.target.value)} data-testid="show-on-wall">
            <option value="" />
            {walls.map((w) => (
              <option key={w.display} value={w.display}>
                {w.display === CONSOLE_WALL ? t('wallPanel.console') : t('wallPanel.display', { name: w.display.replace(/^wall-/, '') })}
              </option>
            ))}
          </select>
          {wallId && (
            <div className="actions">
              {Array.from({ length: walls.find((w) => w.display === wallId)?.tiles ?? 0 }, (_, i) => (
                <button type="button" key={i} data-testid={`wall-tile-${i + 1}`} onClick={() => putOnWall(wallId, i, cam.id)}>{t('wallPanel.tile', { n: i + 1 })}</button>
              ))}
            </div>
          )}
        </div>
      )}
      {requestedAt !== null && (
        <div className="video-slot">
          <VideoTile camera={cam} getStreamUrl={getStreamUrl} health={health} requestedAt={requestedAt} hubClockOffsetMs={skew} subtitle={unit?.name} details={details} />
        </div>
      )}
    </>
  );
}

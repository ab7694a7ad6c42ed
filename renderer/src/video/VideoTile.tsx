// One live camera in one tile. The tile owns exactly one Hls instance, created in an effect and destroyed
// in its cleanup; a failed or frozen stream is torn down and retried with backoff, showing an honest slate.
import { useEffect, useRef, useState } from 'react';
import Hls from 'hls.js';
import type { Camera } from '../../../shared/domain';
import type { StreamHealth } from '../../../shared/protocol/events';
import { LIVE_HLS_CONFIG } from './hls-config';
import { withFreshToken } from './media-hosts';
import { useVideoTexts } from './texts';
import './video.css';

export type VideoTileProps = {
  camera: Camera | null;
  /** resolves to a playable URL (the hub's /media/... path with a media token, or a direct HLS URL); asked again to renew the token */
  getStreamUrl: (cameraId: string) => Promise<string>;
  /** how often a playing tile asks for a fresh URL (the hub's media tokens live 5 minutes) */
  renewUrlEveryMs?: number;
  /** the hub's view of this stream; 'down' shows the slate even before the player notices */
  health?: StreamHealth | undefined;
  /** performance.now() when the operator asked for this camera; time to first frame counts from here */
  requestedAt?: number;
  /** hub clock minus local clock (ms), so latency is measured against the clock that stamped the video */
  hubClockOffsetMs?: number;
  /** show the engineering figures (time to first frame, latency, the gateway's reason for a failure) */
  details?: boolean;
  /** a second line under the name, e.g. the unit a vehicle camera follows */
  subtitle?: string;
  onFirstFrame?: (cameraId: string, ms: number) => void;
  onDoubleClick?: () => void;
};

type Phase = 'connecting' | 'live' | 'stale' | 'offline';

/** No new frame for this long: the badge turns to stale. */
const STALE_AFTER_MS = 3000;
/** No new frame for this long: tear the player down and reconnect. */
const RECONNECT_AFTER_MS = 9000;
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 15_000;
/** Well inside the hub's 5-minute media tokens, so a missed renewal or two costs nothing. */
const RENEW_URL_MS = 60_000;

/** Keyed by camera: another camera is another player, with fresh state, backoff and first-frame clock. */
export function VideoTile(props: VideoTileProps) {
  return <CameraPlayer key={props.camera?.id ?? ''} {...props} />;
}

function CameraPlayer(props: VideoTileProps) {
  const { camera, getStreamUrl, health, requestedAt, hubClockOffsetMs = 0, onFirstFrame, renewUrlEveryMs = RENEW_URL_MS } = props;
  const t = useVideoTexts();
  const videoRef = useRef<HTMLVideoElement>(null);
  const [attempt, setAttempt] = useState(0);
  const [phase, setPhase] = useState<Phase>('connecting');
  const [offlineSince, setOfflineSince] = useState<number | null>(null);
  const [ttffMs, setTtffMs] = useState<number | null>(null);
  const [latencyMs, setLatencyMs] = useState<number | null>(null);
  const failures = useRef(0);
  // Callbacks and clock offset change identity often; the player must not restart because of them.
  const latest = useRef({ getStreamUrl, onFirstFrame, hubClockOffsetMs, requestedAt });
  latest.current = { getStreamUrl, onFirstFrame, hubClockOffsetMs, requestedAt };
  const cameraId = camera?.id ?? null;

  useEffect(() => {
    const video = videoRef.current;
    if (!cameraId || !video) return;
    let hls: Hls | null = null;
    let done = false;
    let retryTimer: ReturnType<typeof setTimeout> | null = null;
    const startedAt = attempt === 0 ? (latest.current.requestedAt ?? performance.now()) : performance.now();
    let lastProgressAt = performance.now();
    let lastTime = -1;
    let sawFrame = false;
    setPhase('connecting');

    const fail = () => {
      if (done) return;
      done = true;
      hls?.destroy();
      hls = null;
      setPhase('offline');
      setOfflineSince((s) => s ?? Date.now());
      const delay = Math.min(RETRY_FIRST_MS * 2 ** failures.current, RETRY_MAX_MS);
      failures.current += 1;
      retryTimer = setTimeout(() => setAttempt((a) => a + 1), delay);
    };

    const firstFrame = () => {
      if (sawFrame || done) return;
      sawFrame = true;
      failures.current = 0;
      const ms = Math.round(performance.now() - startedAt);
      setTtffMs(ms);
      setOfflineSince(null);
      setPhase('live');
      latest.current.onFirstFrame?.(cameraId, ms);
    };
    // The frame callback is exact; timeupdate is the fallback for when the compositor skips callbacks.
    const frameHandle = video.requestVideoFrameCallback(firstFrame);
    const onTimeUpdate = () => { if (video.currentTime > 0) firstFrame(); };
    video.addEventListener('timeupdate', onTimeUpdate);

    // The newest URL for this camera: hls.js keeps requesting the first one, so its requests are given
    // this one's media token as they go out (before the first one's token expires).
    let current = '';
    const renew = () => {
      latest.current.getStreamUrl(cameraId).then((url) => { if (!done) current = url; }, () => undefined);
    };
    const renewTimer = setInterval(renew, renewUrlEveryMs);

    latest.current.getStreamUrl(cameraId).then((url) => {
      if (done) return;
      current = url;
      if (!Hls.isSupported()) {
        video.src = url; // Safari plays HLS natively (and reconnects through the watchdog when the token expires)
        void video.play().catch(() => undefined);
        return;
      }
      hls = new Hls({
        ...LIVE_HLS_CONFIG,
        xhrSetup: (xhr, requestUrl) => {
          const fresh = withFreshToken(requestUrl, current);
          if (fresh !== requestUrl) xhr.open('GET', fresh, true);
        },
      });
      hls.on(Hls.Events.ERROR, (_e, data) => { if (data.fatal) fail(); });
      hls.on(Hls.Events.MANIFEST_PARSED, () => { void video.play().catch(() => undefined); });
      // The hub announces a shorter hold-back (HOLD-BACK) on what it encodes itself with short segments:
      // follow it. Only ever closer than our default, so another server's long LL-HLS hold-back changes nothing.
      let followed = false;
      hls.on(Hls.Events.LEVEL_LOADED, (_e, data) => {
        const holdBack = data.details.holdBack;
        if (!followed && hls && holdBack > 0 && holdBack < (LIVE_HLS_CONFIG.liveSyncDuration ?? Infinity)) { followed = true; hls.targetLatency = holdBack; }
      });
      hls.loadSource(url);
      hls.attachMedia(video);
    }, fail);

    // A live stream must move: watch the playhead, mark stale, reconnect when frozen; measure latency.
    const watchdog = setInterval(() => {
      if (done) return;
      const now = performance.now();
      if (video.currentTime !== lastTime) { lastTime = video.currentTime; lastProgressAt = now; }
      const still = now - lastProgressAt;
      if (sawFrame) setPhase(still > STALE_AFTER_MS ? 'stale' : 'live');
      if (still > RECONNECT_AFTER_MS) { fail(); return; }
      const playing = hls?.playingDate;
      if (playing) setLatencyMs(Math.max(0, Date.now() + latest.current.hubClockOffsetMs - playing.getTime()));
    }, 1000);

    return () => {
      done = true;
      clearInterval(watchdog);
      clearInterval(renewTimer);
      if (retryTimer) clearTimeout(retryTimer);
      video.cancelVideoFrameCallback(frameHandle);
      video.removeEventListener('timeupdate', onTimeUpdate);
      hls?.destroy();
      hls = null;
      // Release the MediaSource and decoder now rather than at garbage collection: walls switch all night.
      video.removeAttribute('src');
      video.load();
    };
  }, [cameraId, attempt, renewUrlEveryMs]);

  // The hub saw the stream come back (down → up) while we wait out a long backoff: try again now.
  // Only on that transition, so a player that keeps failing on an "up" stream still backs off.
  const hubState = health?.state;
  const prevHubState = useRef(hubState);
  useEffect(() => {
    const cameBack = hubState === 'up' && prevHubState.current !== 'up';
    prevHubState.current = hubState;
    if (cameBack && phase === 'offline') setAttempt((a) => a + 1);
  }, [hubState, phase]);

  const hubDown = hubState === 'down';
  // Once offline, the slate stays up through the retries until a frame arrives again.
  const shown: Phase = phase === 'live' ? 'live'
    : phase === 'stale' ? (hubDown ? 'offline' : 'stale')
    : offlineSince !== null || hubDown ? 'offline' : 'connecting';
  const since = offlineSince ?? (hubDown ? health?.since ?? null : null);
  const badge = { connecting: t.connecting, live: t.live, stale: t.stale, offline: t.offline }[shown];

  if (!camera) return <div className="xv-tile xv-empty" data-phase="empty">{t.empty}</div>;
  return (
    <div
      className={`xv-tile xv-${shown}`}
      data-camera-id={camera.id}
      data-phase={shown}
      data-ttff-ms={ttffMs ?? undefined}
      data-latency-ms={latencyMs ?? undefined}
      onDoubleClick={props.onDoubleClick}
    >
      <video ref={videoRef} muted autoPlay playsInline disablePictureInPicture />
      <div className="xv-caption">
        <span className="xv-name">{camera.name}</span>
        {props.subtitle && <span className="xv-sub">{props.subtitle}</span>}
        <span className={`xv-badge xv-badge-${shown}`}>{badge}</span>
      </div>
      {/* Engineering figures only in the details view: an operator's tile shows the picture and its state. */}
      {props.details && (
        <div className="xv-stats">
          {ttffMs !== null && <span>{t.firstFrame} {(ttffMs / 1000).toFixed(2)} s</span>}
          {latencyMs !== null && shown === 'live' && <span>{t.latency} {(latencyMs / 1000).toFixed(1)} s</span>}
        </div>
      )}
      {shown === 'offline' && (
        <div className="xv-slate" role="status">
          <div>{since !== null ? t.offlineSince(since) : t.connecting}</div>
          {props.details && hubDown && health?.reason && <div className="xv-reason">{health.reason}</div>}
        </div>
      )}
    </div>
  );
}

// Video monitoring for the console: live HLS tiles and the wall that arranges them.
//
// How to wire it (the console owns the single socket client in renderer/src/hub/):
//   getStreamUrl = (cameraId) => ack of `stream:token` {cameraId} → {url}; the hub returns its tokenised
//     /media/<id>/index.m3u8 path (make it absolute against the hub's origin) or a direct HLS URL.
//   health = the latest StreamHealth per camera id, from the snapshot's `streams` and `stream:health` pushes.
//   cameras / units = from the snapshot; units let vehicle and body-worn tiles follow their unit.
//   hubClockOffsetMs = SessionReady.hubTime - Date.now() at login (latency is measured on the hub's clock).
//   <VideoWall displayKey="console" cameras={…} units={…} health={…} getStreamUrl={…}
//     preset={{ layout: '1+5', cameraIds: modeProfile.wall }} focus={{ cameraId, at: performance.now() }} />
//   To play a camera picked on the map, pass a new `focus` object per click; it goes to the first tile.
//   mediaHosts: names that reach the same hub (e.g. ['hub.city.local', '10.0.0.5']); tiles spread their
//     requests over them to get past the browser's six connections per host. A local hub needs nothing.
//   Tiles expose data-camera-id / data-phase / data-ttff-ms / data-latency-ms for tests.
//   Map markers and camera lists make themselves draggable with
//     e.dataTransfer.setData(CAMERA_DRAG_TYPE, camera.id)   // 'application/x-xiuhua-camera'
export { VideoTile, type VideoTileProps } from './VideoTile';
export { VideoWall, type VideoWallProps } from './VideoWall';
export { WALL_LAYOUTS, type WallLayout } from './layouts';
export { CAMERA_DRAG_TYPE, forgetWall } from './wall-state';
export { spreadOverHosts } from './media-hosts';

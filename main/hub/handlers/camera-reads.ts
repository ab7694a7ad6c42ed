// `camera:preview`: the admin tries a source before saving a camera. The source is checked as a saved one
// would be (the shared schema, then a file confined to the data folder), served under this session's
// preview id (camera-preview.ts) and signed like `stream:token`. Nothing is stored; the record keeps only
// the camera:upsert that follows.
import { z } from 'zod';
import { StreamSource } from '../../../shared/domain';
import { PREVIEWS_MAX } from '../camera-preview';
import { CommandFailure } from '../commands';
import type { RequestDef } from '../requests';
import type { HubServices } from '../services';
import { sessionId } from '../auth';
import { confineFileSources } from './sources';

export const PreviewRequest = z.strictObject({ source: StreamSource });
export type PreviewResult = { cameraId: string; url: string };

export function cameraPreviewRequest(session: { token: string }): RequestDef<typeof PreviewRequest, PreviewResult, HubServices> {
  return {
    name: 'camera:preview', schema: PreviewRequest, roles: ['admin'],
    handle: ({ services, now }, req) => {
      let source = req.source;
      try {
        const probe = { id: 'preview', kind: 'fixed' as const, name: 'preview', position: null, facing: null, unitId: null, sources: [source], key: false };
        source = confineFileSources(services.evaluation.dataDir, probe).sources[0]!;
      } catch (e) {
        if (e instanceof CommandFailure) return { ok: false, error: { code: e.code, message: e.message.replace('camera.sources.0.url', 'source.url') } };
        throw e;
      }
      const cameraId = services.previews.open(sessionId(session.token), source, now);
      if (!cameraId) return { ok: false, error: { code: 'rate_limited', message: `${PREVIEWS_MAX} previews are running; try again in a minute` } };
      const where = services.media.streamPath(cameraId);
      const url = where.startsWith('/') ? `${services.url()}${services.mediaAccess.sign(where, session.token, cameraId, now).path}` : where;
      return { ok: true, result: { cameraId, url } };
    },
  };
}

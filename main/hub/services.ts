// What request handlers may use besides the store: the live parts of a running hub.
import type { Snapshot } from '../../shared/protocol/sockets';
import type { MediaGateway } from '../media/gateway';
import type { CameraPreviews } from './camera-preview';
import type { Recommender } from './dispatch/recommend';
import type { MediaAccess } from './http/media-access';
import type { RetentionPolicy } from '../store/retention';
import type { SegmentWriter } from '../store/segments';
import type { CoverageWatch } from './coverage';
import type { BodycamDesk } from './bodycam';
import type { PositionPipeline } from './positions';
import type { VoiceHub } from './voice/floor';
import type { ScorecardConfig } from '../../shared/protocol/scorecard';

export type HubServices = {
  pipeline: PositionPipeline;
  /** ranks units for an incident by road travel time (`units:recommend`) */
  recommender: Recommender;
  /** seals per-unit minute segments and holds the unsealed tail */
  segments: SegmentWriter;
  /** route coverage and cell dwell per shift period, kept in memory until its next write */
  coverage: CoverageWatch;
  /** what is kept of positions, and for how long */
  retention: RetentionPolicy;
  media: MediaGateway;
  /** body camera telemetry: the latest reading per unit, and the recording alerts it queues */
  bodycam: BodycamDesk;
  /** push-to-talk: peers, floors, signalling relay, where recordings are kept */
  voice: VoiceHub;
  /** signs media URLs for a session and one camera */
  mediaAccess: MediaAccess;
  /** what the evaluator's scorecard and exports need: weights, where the signing key lives, the center's zone */
  evaluation: { scorecard: ScorecardConfig; dataDir: string; timeZone: string; log: (line: string) => void };
  /** the hub's own address, known once it listens */
  url(): string;
  /** everything a console needs to draw the city now */
  snapshot(): Snapshot;
  /** sources an admin tries before saving a camera (camera:preview) */
  previews: CameraPreviews;
  /** connections open now: consoles by session id, devices by device id */
  presence(): { sessions: Map<string, number>; devices: Map<string, number> };
};

// What request handlers may use besides the store: the live parts of a running hub.
import type { Snapshot } from '../../shared/protocol/sockets';
import type { MediaGateway } from '../media/gateway';
import type { PositionPipeline } from './positions';

export type HubServices = {
  pipeline: PositionPipeline;
  media: MediaGateway;
  /** the hub's own address, known once it listens */
  url(): string;
  /** everything a console needs to draw the city now */
  snapshot(): Snapshot;
};

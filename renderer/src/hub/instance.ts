import { HubClient } from './client';

/** The renderer's single hub connection. */
export const hub = new HubClient();

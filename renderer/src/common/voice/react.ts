// React bindings of the intercom: its state and the recordings still waiting for the hub.
import { useSyncExternalStore } from 'react';
import type { Intercom, IntercomState } from './intercom';
import type { PendingRecording } from './uploads';

export function useIntercom(intercom: Intercom): IntercomState {
  return useSyncExternalStore(intercom.subscribe, intercom.getState);
}

export function usePendingRecordings(intercom: Intercom): readonly PendingRecording[] {
  return useSyncExternalStore(intercom.uploads.subscribe, intercom.uploads.pending);
}

// IPC handlers, each behind the sender check: only the top frame of one of our pages is answered.
// Arguments arrive as `unknown` and are validated by the handlers.
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import type { IpcChannel, IpcContract } from './ipc-contract';
import { isTrustedSender } from './security';

/** The sender a handler may act on: which web contents asked (wall windows are told apart by it). */
export type IpcSender = { contentsId: number };

export type IpcHandlers = {
  [C in IpcChannel]: (sender: IpcSender, ...args: unknown[]) => Promise<IpcContract[C]['result']> | IpcContract[C]['result'];
};

export class ForeignSenderError extends Error {
  constructor(channel: string, url: string) {
    super(`refused IPC ${channel} from ${url || 'an unknown frame'}`);
  }
}

export function registerIpcHandlers(
  ipcMain: Pick<IpcMain, 'handle'>,
  handlers: IpcHandlers,
  log: (line: string) => void,
): void {
  for (const channel of Object.keys(handlers) as IpcChannel[]) {
    const handler = handlers[channel];
    ipcMain.handle(channel, (event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>, ...args: unknown[]) => {
      if (!isTrustedSender(event.senderFrame)) {
        const err = new ForeignSenderError(channel, event.senderFrame?.url ?? '');
        log(err.message);
        throw err;
      }
      return handler({ contentsId: event.sender.id }, ...args);
    });
  }
}

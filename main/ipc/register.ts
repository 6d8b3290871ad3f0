/**
 * Registers the lab:* handlers on ipcMain (or a fake), with the sender check in front of every one.
 *
 * Contract: a message whose sender frame is not one of our pages is refused before its handler runs
 * (reply: ForbiddenSender, and a log line). Every reply is a Wire envelope; a handler that throws
 * (a bad argument, a bug) becomes { ok: false, error } rather than Electron's mangled rejection.
 */
import type { SenderFrameLike } from '../security.ts';
import {
  INVOKE_CHANNELS,
  errorInfo,
  type EventChannel,
  type EventChannels,
  type InvokeChannel,
  type Wire,
} from './channels.ts';
import type { CallContext, Handlers } from './handlers.ts';

/** The subset of WebContents used to reply to a renderer. */
export interface SenderLike {
  readonly id: number;
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

/** The subset of IpcMainInvokeEvent used here. */
export interface InvokeEventLike {
  readonly sender: SenderLike;
  readonly senderFrame: SenderFrameLike | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
}

export interface RegisterOptions {
  isTrusted(frame: SenderFrameLike | null): boolean;
  /** The window that hosts the sender (dialog parent), or null. */
  windowOf(sender: SenderLike): unknown;
  log?: (message: string) => void;
}

/** Typed send of a main -> renderer event. */
export function sendEvent<C extends EventChannel>(target: SenderLike, channel: C, payload: EventChannels[C]): void {
  if (!target.isDestroyed()) target.send(channel, payload);
}

export function contextOf(sender: SenderLike, windowOf: (s: SenderLike) => unknown): CallContext {
  return {
    owner: {
      id: sender.id,
      send: (event) => sendEvent(sender, 'lab:runEvent', event),
      isDestroyed: () => sender.isDestroyed(),
    },
    sweepOwner: { id: sender.id, send: (event) => sendEvent(sender, 'lab:sweepEvent', event) },
    reproOwner: { id: sender.id, send: (event) => sendEvent(sender, 'lab:reproEvent', event) },
    window: windowOf(sender),
  };
}

/** Returns the wrapped listeners too, so a test can call them exactly as ipcMain would. */
export function registerIpc(
  ipcMain: IpcMainLike,
  handlers: Handlers,
  options: RegisterOptions,
): Record<InvokeChannel, (event: InvokeEventLike, ...args: unknown[]) => Promise<Wire<unknown>>> {
  const log = options.log ?? (() => {});
  const wrapped = {} as Record<InvokeChannel, (event: InvokeEventLike, ...args: unknown[]) => Promise<Wire<unknown>>>;
  for (const channel of INVOKE_CHANNELS) {
    const handler = handlers[channel] as (ctx: CallContext, args: readonly unknown[]) => Promise<unknown>;
    const listener = async (event: InvokeEventLike, ...args: unknown[]): Promise<Wire<unknown>> => {
      if (!options.isTrusted(event.senderFrame)) {
        log(`refused ${channel} from a foreign frame (${event.senderFrame?.url ?? 'no frame'})`);
        return {
          ok: false,
          error: { name: 'ForbiddenSender', message: `${channel} refused: the sender is not an Overcommit Lab page` },
        };
      }
      try {
        return { ok: true, value: await handler(contextOf(event.sender, options.windowOf), args) };
      } catch (e) {
        log(`${channel} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        return { ok: false, error: errorInfo(e) };
      }
    };
    wrapped[channel] = listener;
    ipcMain.handle(channel, listener);
  }
  return wrapped;
}

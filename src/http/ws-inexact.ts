import type { GraphQLError } from "graphql";
import type { WebSocket } from "ws";
import { inexactIntegerError } from "../limits/exact-integers";

/**
 * graphql-ws hands onSubscribe the parsed payload, in which an integer too long for a double is
 * already rounded (exact-integers.ts), so each message's text is read as it arrives (`note`). The
 * verdict is kept under the subscribe message's id and taken by that subscription's onSubscribe
 * (`take`), whenever graphql-ws gets to it. A few at most per socket: graphql-ws closes a socket
 * that reuses an id or subscribes before its ack, and the oldest verdicts past 16 are dropped.
 */
export class InexactIntegers {
  private readonly bySocket = new WeakMap<WebSocket, Map<string, GraphQLError>>();

  note(socket: WebSocket, text: string): void {
    const error = inexactIntegerError(text);
    if (!error) return;
    let message: { type?: unknown; id?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return; // not JSON: graphql-ws answers it (4400)
    }
    if (message?.type !== "subscribe" || typeof message.id !== "string") return;
    const errors = this.bySocket.get(socket) ?? new Map<string, GraphQLError>();
    if (errors.size >= 16) errors.delete(errors.keys().next().value!);
    this.bySocket.set(socket, errors.set(message.id, error));
  }

  take(socket: WebSocket, id: string): GraphQLError | null {
    const errors = this.bySocket.get(socket);
    const error = errors?.get(id) ?? null;
    errors?.delete(id);
    return error;
  }
}

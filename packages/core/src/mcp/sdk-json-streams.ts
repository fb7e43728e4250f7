import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';

/**
 * What the SDK's Streamable HTTP transport (JSON-response mode) still holds for POSTs whose answer has settled,
 * and how to let go of it (internal).
 *
 * Why: in JSON-response mode the SDK (1.32.2) answers a POST through `resolveJson` of an entry of its private
 * `_streamMapping` and never deletes that entry; a cancelled request also leaves its `_requestToStreamMapping`
 * (and, in a batch, `_requestResponseMap`) entries behind. A long-lived session therefore grows by one entry
 * per POST without bound (modelcontextprotocol/typescript-sdk#2559, fixed by PR #2747, not released yet).
 * This accessor is the only place that touches those private fields: it checks their shapes once and does
 * nothing at all when they are absent or different (a fixed SDK cleans up by itself), so it can never break
 * the transport. Remove it once the SDK release with the fix is the minimum version.
 */
export interface SdkJsonStreams {
  /** The SDK's stream id of a request it has dispatched and not answered yet; `undefined` if unknown. */
  streamOf(requestId: RequestId): string | undefined;
  /**
   * Forgets the SDK's JSON stream `streamId` (only an entry with `resolveJson`, i.e. a JSON answer — never an
   * SSE stream) and the correlations of `requestIds` that still point at it. Call it once the POST that
   * carried `requestIds` has its answer, or will never get one from the SDK (cancelled, transport closed).
   */
  release(streamId: string, requestIds: Iterable<RequestId>): void;
}

const NOTHING: SdkJsonStreams = {
  streamOf: () => undefined,
  release: () => undefined,
};

function mapField(target: object, name: string): Map<unknown, unknown> | undefined {
  const value: unknown = Reflect.get(target, name);
  return value instanceof Map ? value : undefined;
}

/** A JSON-mode entry of `_streamMapping`: it has `resolveJson` (an SSE entry has a `controller` instead). */
function isJsonStream(entry: unknown): boolean {
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof (entry as { resolveJson?: unknown }).resolveJson === 'function'
  );
}

/**
 * The {@link SdkJsonStreams} of `inner` (see there for why), or a no-op one when the SDK's private maps are not
 * there in the expected shape (internal). O(1) to create; `release` is O(number of request ids).
 */
export function sdkJsonStreams(inner: WebStandardStreamableHTTPServerTransport): SdkJsonStreams {
  const streams = mapField(inner, '_streamMapping');
  const requestStreams = mapField(inner, '_requestToStreamMapping');
  const responses = mapField(inner, '_requestResponseMap');
  if (streams === undefined || requestStreams === undefined || responses === undefined) return NOTHING;
  return {
    streamOf(requestId) {
      const streamId = requestStreams.get(requestId);
      return typeof streamId === 'string' ? streamId : undefined;
    },
    release(streamId, requestIds) {
      for (const id of requestIds) {
        if (requestStreams.get(id) !== streamId) continue;
        requestStreams.delete(id);
        responses.delete(id);
      }
      if (isJsonStream(streams.get(streamId))) streams.delete(streamId);
    },
  };
}

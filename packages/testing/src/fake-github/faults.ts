import type { ServerResponse } from 'node:http';
import { send, sendJson } from './http.js';
import type { FakeGitHubFault, FakeGitHubFaultTarget, FakeGitHubState } from './types.js';

const UNICORN =
  '<!DOCTYPE html><html><head><title>Unicorn! &middot; GitHub</title></head><body>No server is currently available to service your request.</body></html>';

/** Takes the next pending fault for a target, if any. */
export function takeFault(
  state: FakeGitHubState,
  target: FakeGitHubFaultTarget,
): FakeGitHubFault | undefined {
  return state.faults[target].shift();
}

/**
 * Answers with a fault. For `hang` nothing is written: the returned promise settles when the client gives up
 * (aborts) or the server closes its connections.
 */
export function applyFault(
  res: ServerResponse,
  fault: FakeGitHubFault,
  nowMs: number,
): Promise<void> | undefined {
  switch (fault.kind) {
    case 'status':
      send(res, fault.status, { 'content-type': 'text/html; charset=utf-8' }, fault.body ?? UNICORN);
      return undefined;
    case 'rate_limit': {
      const reset = Math.ceil(nowMs / 1000) + fault.retryAfterSeconds;
      sendJson(
        res,
        fault.status ?? 429,
        {
          message: 'API rate limit exceeded. Please wait before retrying.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        },
        {
          'retry-after': String(fault.retryAfterSeconds),
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-used': '5000',
          'x-ratelimit-reset': String(reset),
          'x-ratelimit-resource': 'core',
        },
      );
      return undefined;
    }
    case 'secondary_rate_limit':
      sendJson(
        res,
        403,
        {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you ' +
            'reach out to GitHub Support for help, please include the request ID 0000:FAKE:0000.',
          documentation_url:
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        },
        {
          ...(fault.retryAfterSeconds !== undefined
            ? { 'retry-after': String(fault.retryAfterSeconds) }
            : {}),
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '4990',
          'x-ratelimit-used': '10',
          'x-ratelimit-reset': String(Math.ceil(nowMs / 1000) + 3600),
          'x-ratelimit-resource': 'core',
        },
      );
      return undefined;
    case 'validation_failed':
      sendJson(res, 422, {
        message: 'Validation Failed',
        errors: fault.errors ?? [{ resource: 'Issue', field: 'title', code: 'missing_field' }],
        documentation_url: 'https://docs.github.com/rest',
        status: '422',
      });
      return undefined;
    case 'hang':
      return new Promise((resolve) => {
        res.on('close', () => resolve());
      });
  }
}

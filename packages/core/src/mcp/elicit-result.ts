import type {
  ElicitRequestFormParams,
  ElicitRequestURLParams,
  ElicitResult,
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { ToolContextError } from './context-error.js';

function refused(reason: string): ToolContextError {
  return new ToolContextError(
    'MCP_CLIENT_REQUEST_FAILED',
    `The client's elicitation request failed: ${reason}`,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What a tool gets from an `elicitation/create` answer (internal): only `action` for a declined or cancelled
 * request and for an accepted URL one (content the client sent anyway is dropped, so a tool cannot act on
 * input the user did not submit); for an accepted form, `action` and `content`, which must be there and match
 * `requestedSchema` with no property the form did not ask for.
 *
 * The schema is compiled by a validator made for this answer and dropped with it: a validator shared by the
 * handler would keep every schema object it ever compiled (Ajv caches them by identity), and a tool builds a new
 * one per call.
 *
 * @throws ToolContextError `MCP_CLIENT_REQUEST_FAILED` for an accepted form without content or with content not
 *   matching the schema. The message names the failed constraints, never the values.
 */
export function checkedElicitResult(
  params: ElicitRequestFormParams | ElicitRequestURLParams,
  result: ElicitResult,
): ElicitResult {
  if (result.action !== 'accept') return { action: result.action };
  if (params.mode === 'url') return { action: 'accept' };
  const content: unknown = result.content;
  if (!isRecord(content)) throw refused('the user accepted the form, but the answer holds no content.');
  const validate = new AjvJsonSchemaValidator().getValidator<Record<string, unknown>>({
    ...params.requestedSchema,
    additionalProperties: false,
  });
  const checked = validate(content);
  if (!checked.valid) {
    throw refused(`the answer does not match the requested form: ${checked.errorMessage}.`);
  }
  return { action: 'accept', content: content as NonNullable<ElicitResult['content']> };
}

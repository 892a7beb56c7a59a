// Errors a request ends with: an HTTP status and OpenAI's error body. Only their message reaches the
// client; anything else a handler throws becomes a 500 carrying the message alone, never a stack.

export type ApiErrorType = 'invalid_request_error' | 'not_found_error' | 'rate_limit_error' | 'server_error';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly type: ApiErrorType = status >= 500 ? 'server_error' : 'invalid_request_error',
    readonly code: string | null = null,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A 400 naming the field at fault; `message` says what was expected. */
export function badRequest(param: string | null, message: string): ApiError {
  return new ApiError(400, message, param);
}

/** Whatever a handler threw, as an ApiError (a model's exception becomes a 500 with its message). */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError(500, message || 'the model failed without a message');
}

export function errorBody(error: ApiError): { error: { message: string; type: ApiErrorType; param: string | null; code: string | null } } {
  return { error: { message: error.message, type: error.type, param: error.param, code: error.code } };
}

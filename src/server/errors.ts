/**
 * What the API answers when something fails: JSON `{"error": {"code", "message"}}`
 * with a stable code. Messages come from typed errors, which name keys and
 * files, never values; anything else is answered with its kind only.
 */
import { VaultError, withoutPrivateKeys } from "../errors.js";

/** An answer the API gives on purpose (401, 403, 404, 422, …); a VaultError, so the audit log records its code. */
export class HttpError extends VaultError {
  override readonly name = "HttpError";
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(code, message);
  }
}

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

/** HTTP status of a use case's error code. */
const STATUS: Readonly<Record<string, number>> = {
  usage: 400,
  "invalid-value": 400,
  "key-missing": 404,
  "vault-missing": 404,
  "token-invalid": 401,
  "token-expired": 401,
  "token-revoked": 401,
  "refresh-reused": 401,
  "policy-denied": 403,
  "uncommitted-changes": 409,
  locked: 503,
  "audit-write": 503,
  "no-identity": 503,
  "remote-worker": 503,
  "token-store-permissions": 503,
  "token-store-invalid": 503,
  // The server's own files (a teammate's broken configuration): its operator reads why in the audit log.
  "config-invalid": 503,
};

/** Fastify's own errors (parsing, limits, validation) by their code, with fixed messages: theirs may quote the body. */
const FRAMEWORK: Readonly<Record<string, [number, string, string]>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, "bad-json", "the body is not valid JSON"],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, "bad-json", "the body is empty; send a JSON object"],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, "body-too-large", "the body is larger than the server accepts"],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, "unsupported-media-type", "send the body as application/json"],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, "bad-request", "the Content-Length does not match the body"],
  FST_ERR_CTP_INVALID_TYPE: [415, "unsupported-media-type", "send the body as application/json"],
  // Raised by the router, before any route: fastify's own answer quotes the URL.
  FST_ERR_BAD_URL: [400, "bad-url", "the URL is not valid (it is not shown)"],
  FST_ERR_MAX_PARAM_LENGTH: [400, "bad-request", "a path segment is too long"],
};

/** The status and body for an error thrown while answering a request. */
export function errorReply(error: unknown): { status: number; code: string; body: ErrorBody; headers: Record<string, string> } {
  const make = (status: number, code: string, message: string, headers: Record<string, string> = {}) => ({
    status,
    code,
    body: { error: { code, message: withoutPrivateKeys(message) } },
    headers,
  });
  if (error instanceof HttpError) return make(error.status, error.code, error.message, { ...error.headers });
  if (error instanceof VaultError) {
    const status = STATUS[error.code] ?? (error.code.startsWith("identity") ? 503 : 422);
    // The server's own trouble names its files (identity, audit log, locks): the operator reads it in the audit log, not the client.
    return make(status, error.code, status >= 500 ? `the server cannot answer now (${error.code}); its operator can tell why` : error.message);
  }
  const e = error as { code?: unknown; statusCode?: unknown; validation?: unknown; validationContext?: unknown; message?: unknown };
  if (e.validation !== undefined) {
    // ajv's messages name the place and the rule (`body/value must be string`), never the input.
    return make(400, "bad-request", typeof e.message === "string" ? e.message : "invalid request");
  }
  const known = typeof e.code === "string" ? FRAMEWORK[e.code] : undefined;
  if (known !== undefined) return make(known[0], known[1], known[2]);
  if (e.statusCode === 429) return make(429, "rate-limited", "too many requests for this token; wait and retry");
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) return make(e.statusCode, "bad-request", "the request was refused");
  return make(500, "internal", "internal error");
}

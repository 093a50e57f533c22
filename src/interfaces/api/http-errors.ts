import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { AppError, type ErrorCode } from '../../errors.js';

/** The one error body every endpoint returns: `{ error: { code, message, details } }`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  'config-invalid': 422,
  'input-invalid': 400,
  'not-found': 404,
  conflict: 409,
  forbidden: 403,
  'prerequisite-missing': 503,
  internal: 500,
};

export class HttpError extends AppError {
  readonly status: number;
  constructor(status: number, code: ErrorCode | 'unauthorized' | 'rate-limited', message: string, details?: unknown) {
    super(code === 'unauthorized' || code === 'rate-limited' ? 'forbidden' : code, message, { details });
    this.status = status;
    this.httpCode = code;
  }
  readonly httpCode: string;
}

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Turns zod's issues into `details`: one entry per problem, with the place in the request it concerns. */
export function zodDetails(where: 'body' | 'query' | 'params', error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((issue) => ({ path: [where, ...issue.path.map(String)].join('.'), message: issue.message }));
}

export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof HttpError) {
    void reply.status(error.status).send(errorBody(error.httpCode, error.message, error.details));
    return;
  }
  if (error instanceof AppError) {
    void reply.status(STATUS_BY_CODE[error.code]).send(errorBody(error.code, error.message, error.details));
    return;
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.statusCode === 429) {
    void reply.status(429).send(errorBody('rate-limited', fastifyError.message));
    return;
  }
  if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    // Fastify's own client errors: malformed JSON, body too large, wrong content type.
    void reply.status(fastifyError.statusCode).send(errorBody('input-invalid', fastifyError.message));
    return;
  }
  request.log.error({ err: error }, 'unhandled error in request');
  void reply.status(500).send(errorBody('internal', 'internal error; the server log has the details'));
}

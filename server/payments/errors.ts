import type { ApiErrorCode } from '../../shared/api.ts';

/**
 * A request the domain refuses (an unknown payment, a reused id, a busy terminal, a closed shift,
 * a malformed field): a code of the shared vocabulary (shared/api.ts, worded for the cashier in
 * shared/error-catalogue.ts) and a sentence, and no HTTP. server/api/errors.ts gives each code its
 * status, once.
 */
export class Refusal extends Error {
  override readonly name = 'Refusal';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }
}

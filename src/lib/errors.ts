/** Errors the service layer raises; each is mapped to HTTP once, in lib/http/error-handling.ts. */
export class DomainError extends Error {
  readonly statusCode: number = 400
}

export class NotFound extends DomainError {
  override readonly statusCode = 404
  constructor(what = 'page') {
    super(`No such ${what}`)
  }
}

export class Forbidden extends DomainError {
  override readonly statusCode = 403
  constructor(message = 'You do not have permission to do that') {
    super(message)
  }
}

export class Conflict extends DomainError {
  override readonly statusCode = 409
}

export class TooManyAttempts extends DomainError {
  override readonly statusCode = 429
  constructor(readonly retryAt: Date, message = 'Too many attempts') {
    super(message)
  }
}

/** Field name → message, in the order the fields appear on the form. */
export type FieldErrors = Record<string, string>

export class InvalidInput extends DomainError {
  override readonly statusCode = 400
  constructor(readonly fields: FieldErrors) {
    super(Object.values(fields)[0] ?? 'Invalid input')
  }
}

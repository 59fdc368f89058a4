/**
 * A small GraphQL client for the portal's API.
 *
 * - POST /graphql with a JSON body, the session cookie (`credentials: 'same-origin'`)
 *   and `X-Requested-With: portail` (the server refuses cookie-authenticated
 *   mutations without it: CSRF protection).
 * - `execute` returns `{ data, errors }` as the server sent them: queries may
 *   return partial data together with FORBIDDEN errors on guarded fields.
 * - `request` returns the data, and throws a `GraphQLRequestError` when the
 *   request failed as a whole (network, HTTP error, or errors without data).
 *   Its `message` is the server's French message(s); `code` is the first
 *   `extensions.code` (UNAUTHENTICATED, FORBIDDEN...).
 *
 * Business errors of mutations are not GraphQL errors: they come in each
 * payload's `errors: [UserError!]!` and are the screens' to display.
 */

export const GRAPHQL_ENDPOINT = '/graphql'

export interface GraphQLErrorLocation {
  line: number
  column: number
}

export interface GraphQLErrorItem {
  message: string
  path?: readonly (string | number)[]
  locations?: readonly GraphQLErrorLocation[]
  extensions?: { code?: string; [key: string]: unknown }
}

export interface GraphQLResult<TData> {
  data: TData | null
  errors: GraphQLErrorItem[]
  /** HTTP status of the response. */
  status: number
}

/** A GraphQL operation's text with its result and variables types attached. */
export type TypedOperation<TData, TVariables> = string & {
  readonly __resultType?: TData
  readonly __variablesType?: TVariables
}

/** Attach the generated types to an operation's text (e.g. imported with `?raw`). */
export function operation<TData, TVariables = Record<string, never>>(
  source: string,
): TypedOperation<TData, TVariables> {
  return source as TypedOperation<TData, TVariables>
}

const NETWORK_MESSAGE = 'Le serveur est injoignable. Vérifiez votre connexion puis réessayez.'
const INVALID_RESPONSE_MESSAGE = 'Le serveur a renvoyé une réponse inattendue. Réessayez plus tard.'

export class GraphQLRequestError extends Error {
  /** The first `extensions.code`, or NETWORK_ERROR / HTTP_ERROR / INVALID_RESPONSE. */
  readonly code: string
  readonly errors: GraphQLErrorItem[]
  /** HTTP status, when a response was received. */
  readonly status: number | undefined

  constructor(errors: GraphQLErrorItem[], status?: number, fallbackCode = 'HTTP_ERROR') {
    const messages = errors.map((error) => error.message).filter(Boolean)
    super(messages.length > 0 ? Array.from(new Set(messages)).join(' ') : INVALID_RESPONSE_MESSAGE)
    this.name = 'GraphQLRequestError'
    this.errors = errors
    this.status = status
    this.code = errors.find((error) => typeof error.extensions?.code === 'string')?.extensions?.code ?? fallbackCode
  }

  /** Whether one of the errors carries this `extensions.code`. */
  hasCode(code: string): boolean {
    return this.errors.some((error) => error.extensions?.code === code)
  }
}

export interface RequestOptions {
  signal?: AbortSignal
  /** Extra headers (e.g. `Authorization: Bearer …` for a script). */
  headers?: Record<string, string>
}

function isErrorList(value: unknown): value is GraphQLErrorItem[] {
  return (
    Array.isArray(value) &&
    value.every((item) => typeof item === 'object' && item !== null && typeof item.message === 'string')
  )
}

/** Send one operation; resolve with data and errors as sent by the server. */
export async function execute<TData, TVariables>(
  query: TypedOperation<TData, TVariables> | string,
  variables?: TVariables,
  options: RequestOptions = {},
): Promise<GraphQLResult<TData>> {
  let response: Response
  try {
    response = await fetch(GRAPHQL_ENDPOINT, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/graphql-response+json, application/json',
        'X-Requested-With': 'portail',
        ...options.headers,
      },
      body: JSON.stringify({ query, variables: variables ?? {} }),
      signal: options.signal,
    })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new GraphQLRequestError([{ message: NETWORK_MESSAGE }], undefined, 'NETWORK_ERROR')
  }

  let body: unknown
  try {
    body = await response.json()
  } catch {
    throw new GraphQLRequestError(
      [{ message: INVALID_RESPONSE_MESSAGE }],
      response.status,
      response.ok ? 'INVALID_RESPONSE' : 'HTTP_ERROR',
    )
  }

  const payload = (typeof body === 'object' && body !== null ? body : {}) as { data?: unknown; errors?: unknown }
  const errors = isErrorList(payload.errors) ? payload.errors : []
  const data = (payload.data ?? null) as TData | null

  if (data === null && errors.length === 0) {
    throw new GraphQLRequestError(
      [{ message: INVALID_RESPONSE_MESSAGE }],
      response.status,
      response.ok ? 'INVALID_RESPONSE' : 'HTTP_ERROR',
    )
  }
  return { data, errors, status: response.status }
}

/** Send one operation; resolve with its data, or throw a GraphQLRequestError. */
export async function request<TData, TVariables>(
  query: TypedOperation<TData, TVariables> | string,
  variables?: TVariables,
  options?: RequestOptions,
): Promise<TData> {
  const result = await execute(query, variables, options)
  if (result.data === null) throw new GraphQLRequestError(result.errors, result.status)
  return result.data
}

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
 * - `uploadMutation` sends a mutation with files (`Upload` variables) as a
 *   GraphQL multipart request, with the same cookie and header.
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
  return send<TData>(
    JSON.stringify({ query, variables: variables ?? {} }),
    { 'Content-Type': 'application/json' },
    options,
  )
}

/** POST a body to the endpoint and read the GraphQL response (shared by JSON and multipart requests). */
async function send<TData>(
  body: BodyInit,
  contentHeaders: Record<string, string>,
  options: RequestOptions,
): Promise<GraphQLResult<TData>> {
  let response: Response
  try {
    response = await fetch(GRAPHQL_ENDPOINT, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        ...contentHeaders,
        Accept: 'application/graphql-response+json, application/json',
        'X-Requested-With': 'portail',
        ...options.headers,
      },
      body,
      signal: options.signal,
    })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new GraphQLRequestError([{ message: NETWORK_MESSAGE }], undefined, 'NETWORK_ERROR')
  }

  let payloadBody: unknown
  try {
    payloadBody = await response.json()
  } catch {
    throw new GraphQLRequestError(
      [{ message: INVALID_RESPONSE_MESSAGE }],
      response.status,
      response.ok ? 'INVALID_RESPONSE' : 'HTTP_ERROR',
    )
  }

  const payload = (typeof payloadBody === 'object' && payloadBody !== null ? payloadBody : {}) as {
    data?: unknown
    errors?: unknown
  }
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

/**
 * Collect the files of `variables` (File objects, at any depth) for a multipart
 * request: each one is replaced by null in the JSON and listed with its path
 * (« variables.input.ribDocument »).
 */
function extractFiles(value: unknown, path: string, files: Array<{ path: string; file: File }>): unknown {
  if (value instanceof File) {
    files.push({ path, file: value })
    return null
  }
  if (Array.isArray(value)) return value.map((item, index) => extractFiles(item, `${path}.${index}`, files))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, extractFiles(item, `${path}.${key}`, files)]),
    )
  }
  return value
}

/**
 * Send a mutation with files (`Upload` variables) as a GraphQL multipart request
 * (https://github.com/jaydenseric/graphql-multipart-request-spec): a FormData
 * with `operations` (the JSON, files replaced by null), `map` (part name →
 * variable paths) and one part per file. Same cookie and `X-Requested-With`
 * header as `request`; resolves with the data or throws a GraphQLRequestError.
 * Without any file, it is an ordinary JSON request.
 */
export async function uploadMutation<TData, TVariables>(
  query: TypedOperation<TData, TVariables> | string,
  variables: TVariables,
  options: RequestOptions = {},
): Promise<TData> {
  const files: Array<{ path: string; file: File }> = []
  const cleaned = extractFiles(variables ?? {}, 'variables', files)
  if (files.length === 0) return request(query, variables, options)
  const form = new FormData()
  form.append('operations', JSON.stringify({ query, variables: cleaned }))
  const map: Record<string, string[]> = {}
  files.forEach(({ path }, index) => {
    map[String(index)] = [path]
  })
  form.append('map', JSON.stringify(map))
  files.forEach(({ file }, index) => form.append(String(index), file, file.name))
  // No Content-Type: the browser sets multipart/form-data with its boundary.
  const result = await send<TData>(form, {}, options)
  if (result.data === null) throw new GraphQLRequestError(result.errors, result.status)
  return result.data
}

/**
 * Live updates: GraphQL subscriptions over one WebSocket (graphql-transport-ws, the `graphql-ws`
 * package), with polling as the fallback.
 *
 * - One connection for the whole SPA, opened when the first screen follows something and closed
 *   when none does. The server authenticates it with the session cookie (same origin).
 * - `follow` runs a subscription and, whenever the WebSocket is not connected (not yet, refused,
 *   dropped, or the subscription itself failed), calls `poll` every `pollMs` instead. It also polls
 *   once a second after it starts (what changed between the screen's first read and the moment
 *   the server began watching) and once after each reconnection (what happened meanwhile).
 */
import { type Client, createClient } from 'graphql-ws'

import { GRAPHQL_ENDPOINT, type TypedOperation } from './client'

let client: Client | null = null
/** Whether the connection is open and acknowledged now (a new follower may find it so). */
let acknowledged = false

function liveClient(): Client {
  client ??= createClient({
    url: () => {
      const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws'
      return `${scheme}://${window.location.host}${GRAPHQL_ENDPOINT}`
    },
    lazy: true,
    lazyCloseTimeout: 1000,
    keepAlive: 30_000,
    // Retry for ever (the screens poll meanwhile): 1 s, 2 s, 4 s… up to 30 s, with some jitter.
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: (retries) =>
      new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 1000 * 2 ** retries) + Math.random() * 1000)),
    on: {
      connected: () => {
        acknowledged = true
      },
      closed: () => {
        acknowledged = false
      },
    },
  })
  return client
}

/**
 * Close the connection: the next subscription opens a new one. The server authenticates a
 * connection once, when it opens: call this when the signed-in account changes.
 */
export function restartLive(): void {
  void client?.dispose()
  client = null
  acknowledged = false
}

/** When a follower reads once over HTTP after it starts. */
const CATCH_UP_MS = 1000

export interface FollowOptions<TData, TVariables> {
  query: TypedOperation<TData, TVariables> | string
  variables?: TVariables
  /** Each result of the subscription. */
  onData: (data: TData) => void
  /** Read the same state over HTTP: while the WebSocket is down, and once after it comes back. */
  poll: () => void | Promise<void>
  pollMs: number
}

/** Follow a subscription (polling while it cannot run); returns the function that stops it. */
export function follow<TData, TVariables>(options: FollowOptions<TData, TVariables>): () => void {
  let stopped = false
  let failed = false
  let timer: number | undefined

  const poll = () => {
    if (!stopped) void options.poll()
  }
  const startPolling = () => {
    if (timer === undefined && !stopped) timer = window.setInterval(poll, options.pollMs)
  }
  const stopPolling = () => {
    window.clearInterval(timer)
    timer = undefined
  }

  if (typeof WebSocket === 'undefined') {
    startPolling()
    return () => {
      stopped = true
      stopPolling()
    }
  }

  const live = liveClient()
  // Poll until the connection is acknowledged (another follower may have opened it already).
  let connected = acknowledged
  if (!connected) startPolling()
  const catchUp = window.setTimeout(poll, CATCH_UP_MS)
  const offConnected = live.on('connected', () => {
    if (failed) return
    if (connected) poll() // a reconnection: catch up with what was missed
    connected = true
    stopPolling()
  })
  const offClosed = live.on('closed', () => {
    if (!stopped) startPolling()
  })
  const unsubscribe = live.subscribe<TData>(
    { query: options.query, variables: (options.variables ?? {}) as Record<string, unknown> },
    {
      next: (result) => {
        if (result.data) options.onData(result.data as TData)
      },
      // The subscription was refused or ended (e.g. signed out): polling shows what HTTP says.
      error: () => {
        failed = true
        startPolling()
      },
      complete: () => {
        if (!stopped) {
          failed = true
          startPolling()
        }
      },
    },
  )
  return () => {
    stopped = true
    stopPolling()
    window.clearTimeout(catchUp)
    offConnected()
    offClosed()
    unsubscribe()
  }
}

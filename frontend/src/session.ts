/**
 * The session store: who is signed in.
 *
 * `viewer` is loaded once, before the first navigation (the route guard waits
 * for it), and again after logging in, logging out, ending the current
 * session or deactivating the account. The session itself is an HttpOnly
 * cookie set by the server on `logIn`: the SPA never sees it.
 */
import { computed, readonly, ref, shallowRef } from 'vue'

import { GraphQLRequestError, execute, request } from '@/graphql/client'
import type { SessionViewerQuery } from '@/graphql/generated'
import { follow, restartLive } from '@/graphql/live'
import { LOG_OUT, PENDING_APPROVAL_COUNT, PENDING_APPROVAL_COUNT_LIVE, SESSION_VIEWER } from '@/graphql/operations'

export type SessionViewer = NonNullable<SessionViewerQuery['viewer']>

const viewer = shallowRef<SessionViewer | null>(null)
const loaded = ref(false)
let loading: Promise<void> | null = null

async function fetchViewer(): Promise<void> {
  try {
    const result = await execute(SESSION_VIEWER)
    viewer.value = result.data?.viewer ?? null
  } catch {
    // Server unreachable: the screens that need a session send to /connexion,
    // which tells what goes wrong when the user tries to log in.
    viewer.value = null
  } finally {
    loaded.value = true
  }
}

/** Load the viewer the first time; later calls wait for that same load. */
export function loadSession(): Promise<void> {
  loading ??= fetchViewer()
  return loading
}

/** Load the viewer again (after logging in or out, a change of name…). */
export function refreshSession(): Promise<void> {
  loading = fetchViewer()
  return loading
}

/**
 * The number of approvals the viewer may decide (the header's « Approbations »
 * badge): live while someone is signed in (the `pendingApprovalCount`
 * subscription, followed from App.vue), read every 60 s while the WebSocket is
 * down, and read again after a decision.
 */
const pendingApprovalCount = ref(0)
const PENDING_POLL_MS = 60_000
let stopPendingApprovals: (() => void) | null = null
let followedUserId: string | null = null

/** Follow the count of the signed-in viewer (again when the account changes); stop when signed out. */
export function followPendingApprovals(): void {
  const userId = viewer.value?.user.id ?? null
  if (userId === followedUserId && stopPendingApprovals !== null) return
  unfollowPendingApprovals()
  void refreshPendingApprovals()
  if (userId === null) return
  // The WebSocket was authenticated as the previous account, if any: open a new one.
  restartLive()
  followedUserId = userId
  stopPendingApprovals = follow({
    query: PENDING_APPROVAL_COUNT_LIVE,
    onData: (data) => {
      pendingApprovalCount.value = data.pendingApprovalCount
    },
    poll: refreshPendingApprovals,
    pollMs: PENDING_POLL_MS,
  })
}

export function unfollowPendingApprovals(): void {
  stopPendingApprovals?.()
  stopPendingApprovals = null
  followedUserId = null
}

export async function refreshPendingApprovals(): Promise<void> {
  if (viewer.value === null) {
    pendingApprovalCount.value = 0
    return
  }
  try {
    const result = await execute(PENDING_APPROVAL_COUNT)
    pendingApprovalCount.value = result.data?.viewer?.pendingApprovalCount ?? 0
  } catch {
    // Keep the last count: the next refresh will try again.
  }
}

export function isSignedIn(): boolean {
  return viewer.value !== null
}

/**
 * Log out: the server ends the session and clears its cookie. Resolves with
 * an error message when the server could not be reached or refused.
 */
export async function logOut(): Promise<string | null> {
  try {
    const data = await request(LOG_OUT)
    const errors = data.logOut.errors.filter((error) => error.code !== 'UNAUTHENTICATED')
    if (errors.length > 0) return errors.map((error) => error.message).join(' ')
  } catch (error) {
    if (!(error instanceof GraphQLRequestError && error.hasCode('UNAUTHENTICATED'))) {
      return error instanceof GraphQLRequestError ? error.message : 'La déconnexion a échoué. Réessayez.'
    }
  }
  viewer.value = null
  await refreshSession()
  return null
}

export function useSession() {
  return {
    viewer: readonly(viewer),
    loaded: readonly(loaded),
    signedIn: computed(() => viewer.value !== null),
    /** « Camille Martin » */
    displayName: computed(() =>
      viewer.value ? `${viewer.value.user.firstName} ${viewer.value.user.lastName}`.trim() : '',
    ),
    refresh: refreshSession,
    logOut,
    pendingApprovalCount: readonly(pendingApprovalCount),
    refreshPendingApprovals,
    followPendingApprovals,
    unfollowPendingApprovals,
  }
}

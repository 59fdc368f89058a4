/**
 * French labels and small helpers shared by the Utilisateurs and Approbations
 * screens (the API speaks English; the screens, French).
 */
import { nextTick } from 'vue'

import type { ApprovalKind, ApprovalState, MembershipStatus } from '@/graphql/generated'

export const MEMBERSHIP_STATUS_LABELS: Record<MembershipStatus, string> = {
  PENDING: 'En cours de validation',
  ACTIVE: 'Validée',
  REFUSED: 'Refusée',
  DETACHED: 'Désactivée',
}

export const APPROVAL_STATE_LABELS: Record<ApprovalState, string> = {
  REQUESTED: 'Demandée',
  APPROVED: 'Approuvée',
  REFUSED: 'Refusée',
  CANCELLED: 'Annulée',
}

/** DSFR badge type of each state. */
export const APPROVAL_STATE_BADGES: Record<ApprovalState, 'info' | 'success' | 'error' | 'warning'> = {
  REQUESTED: 'info',
  APPROVED: 'success',
  REFUSED: 'error',
  CANCELLED: 'warning',
}

export const APPROVAL_KIND_LABELS: Record<ApprovalKind, string> = {
  ATTACHMENT: 'Demande de rattachement',
  HABILITATION_CHANGE: 'Modification d’habilitations',
}

interface Named {
  firstName: string
  lastName: string
}

/** « Camille Martin » */
export function fullName(user: Named | null | undefined, fallback = '—'): string {
  if (!user) return fallback
  return `${user.firstName} ${user.lastName}`.trim() || fallback
}

/** « Martin Camille (camille@exemple.fr) », for a selector. */
export function userOption(user: Named & { email?: string | null }): string {
  const name = `${user.lastName} ${user.firstName}`.trim()
  return user.email ? `${name} (${user.email})` : name
}

/** « BOUTIQUE – Boutique de la République » */
export function serviceLabel(service: { code: string; name: string } | null | undefined, fallback = ''): string {
  return service ? `${service.code} – ${service.name}` : fallback
}

/** « 81234567600017 – Boulangerie Martin et Fils » */
export function structureLabel(structure: { identifier: string; name: string }): string {
  return `${structure.identifier} – ${structure.name}`
}

/** The nodes of a connection (`edges { node }`), or nothing. */
export function nodes<T>(connection: { edges: readonly { node: T }[] } | null | undefined): T[] {
  return connection ? connection.edges.map((edge) => edge.node) : []
}

/** Read one query parameter as a string (the first one when repeated). */
export function queryString(value: unknown): string | null {
  if (Array.isArray(value)) return queryString(value[0])
  return typeof value === 'string' && value !== '' ? value : null
}

/**
 * After a failed submission: focus the first field in error (inputs, text
 * areas, selects, radio groups), like `focusFirstInvalid` of forms.ts.
 */
export async function focusFirstError(form: HTMLElement | null | undefined): Promise<void> {
  await nextTick()
  const field = form?.querySelector<HTMLElement>(
    [
      '.fr-input-group--error input',
      '.fr-input-group--error textarea',
      '.fr-select-group--error select',
      '.fr-fieldset--error input',
    ].join(', '),
  )
  field?.focus()
}

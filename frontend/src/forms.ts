/**
 * Forms: the mutations' `errors { code field message }` shown where they
 * belong, and a few formatting helpers shared by the account screens.
 *
 * A `UserError` whose `field` path ends with one of the form's field names
 * (["input", "password"] → "password") is shown next to that field; the
 * others are shown in an alert above the form. Messages are the server's,
 * in French, shown as they come.
 */
import { nextTick, reactive, ref } from 'vue'

import { GraphQLRequestError } from '@/graphql/client'

export interface UserErrorLike {
  code: string
  field: readonly string[]
  message: string
}

const UNEXPECTED_MESSAGE = 'Une erreur inattendue est survenue. Réessayez plus tard.'

/** The message of a failed request (network, HTTP, GraphQL errors), for an alert. */
export function failureMessage(error: unknown): string {
  return error instanceof GraphQLRequestError ? error.message : UNEXPECTED_MESSAGE
}

/** A control's `aria-describedby`: the ids of what describes it now (its hint, its error), or none. */
export function describedBy(...ids: (string | false | null | undefined)[]): string | undefined {
  const present = ids.filter(Boolean)
  return present.length > 0 ? present.join(' ') : undefined
}

export function useFormErrors<F extends string>(fieldNames: readonly F[]) {
  const fields = reactive<Partial<Record<F, string>>>({}) as Partial<Record<F, string>>
  const general = ref<string[]>([])

  function clear(): void {
    for (const name of fieldNames) delete fields[name]
    general.value = []
  }

  /** Show the payload's errors; true when there were any. */
  function show(errors: readonly UserErrorLike[]): boolean {
    clear()
    const messages: string[] = []
    for (const error of errors) {
      const name = error.field[error.field.length - 1] as F | undefined
      if (name !== undefined && fieldNames.includes(name)) {
        fields[name] = fields[name] ? `${fields[name]} ${error.message}` : error.message
      } else {
        messages.push(error.message)
      }
    }
    general.value = Array.from(new Set(messages))
    return errors.length > 0
  }

  function setField(name: F, message: string): void {
    fields[name] = message
  }

  function showFailure(error: unknown): void {
    clear()
    general.value = [failureMessage(error)]
  }

  function hasErrors(): boolean {
    return general.value.length > 0 || fieldNames.some((name) => Boolean(fields[name]))
  }

  return { fields, general, clear, show, setField, showFailure, hasErrors }
}

/**
 * After a failed submission: move the focus to the first field in error, so
 * that keyboard and screen-reader users land on what to correct (the alert
 * above the form is announced by its role).
 */
export async function focusFirstInvalid(form: HTMLElement | null | undefined): Promise<void> {
  await nextTick()
  const field = form?.querySelector<HTMLElement>('.fr-input-group--error input, .fr-input-group--error textarea')
  field?.focus()
}

/** ISO 8601 date-time → « 12/03/2026 14:05 » in Europe/Paris. */
const DATE_TIME = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'short',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
})
const DATE = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' })

export function formatDateTime(value: string | null | undefined, fallback = '—'): string {
  if (!value) return fallback
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? value : DATE_TIME.format(date)
}

/** « 2026-03-12 » (a date field, local time) → the first or last instant of that day, ISO 8601. */
export function dayBound(day: string | null, end: boolean): string | null {
  if (!day) return null
  const date = new Date(`${day}T${end ? '23:59:59.999' : '00:00:00'}`)
  return Number.isNaN(date.getTime()) ? null : date.toISOString()
}

export function formatDate(value: string | null | undefined, fallback = '—'): string {
  if (!value) return fallback
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? value : DATE.format(date)
}

/**
 * The `retour` query parameter of /connexion: a path of this site only
 * (« /mon-compte »), never another origin (« //ailleurs.example », « https:… »).
 */
export function safeReturnPath(value: unknown): string | null {
  if (typeof value !== 'string') return null
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null
  return value
}

/** The password policy, as the server checks it. */
export const PASSWORD_HINT = 'Au moins 12 caractères, dont une majuscule, une minuscule et un chiffre.'

/**
 * A message for the next screen (« Le ticket CPROCS0000012 a été soumis. »), shown once by the page
 * the user lands on after an action that navigates (submit, delete a draft).
 */
import { ref } from 'vue'

const pending = ref<string | null>(null)

export function setFlash(message: string): void {
  pending.value = message
}

/** The message waiting, once. */
export function takeFlash(): string | null {
  const message = pending.value
  pending.value = null
  return message
}

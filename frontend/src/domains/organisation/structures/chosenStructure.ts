/**
 * The structure a screen is about: chosen with the StructurePicker, kept in the URL
 * (`?structure=<id>`, see useStructureQuery), and read with the screen's own query.
 */
import { type Ref, ref, watch } from 'vue'

import { failureMessage } from '@/forms'

import { useStructureQuery } from './labels'

export const STRUCTURE_NOT_READABLE = 'Cette structure est introuvable ou vous n’y avez pas accès.'

/**
 * `load()` reads the chosen structure (again, e.g. after a change); it answers false when the
 * request failed. `loadError` says why there is nothing to show: the API's message, or
 * STRUCTURE_NOT_READABLE when it answers no structure, or what `unusable` finds wrong with the one
 * it answers (e.g. its documents are not readable).
 */
export function useChosenStructure<S>(
  fetch: (id: string) => Promise<S | null>,
  unusable?: (structure: S) => string | null,
) {
  const structureQuery = useStructureQuery()
  const structureId = ref<string | null>(structureQuery.read())
  const structure = ref(null) as Ref<S | null>
  const loading = ref(false)
  const loadError = ref<string | null>(null)

  watch(structureId, (id) => structureQuery.write(id))

  async function load(): Promise<boolean> {
    loadError.value = null
    const id = structureId.value
    if (!id) {
      structure.value = null
      return true
    }
    loading.value = true
    try {
      const found = await fetch(id)
      structure.value = found
      loadError.value = found ? (unusable?.(found) ?? null) : STRUCTURE_NOT_READABLE
      return true
    } catch (error) {
      structure.value = null
      loadError.value = failureMessage(error)
      return false
    } finally {
      loading.value = false
    }
  }

  return { structureId, structure, loading, loadError, load }
}

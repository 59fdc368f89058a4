/**
 * A list read from the API page by page (a Relay connection), the latest request winning: a filter
 * changed while a page is on its way discards that page. One way for every list screen to load its
 * rows, its total, where it stands and what went wrong (the API's French message).
 */
import { type Ref, ref, shallowRef } from 'vue'

import { failureMessage } from '@/forms'

/** What a list needs of a connection (`pageInfo` when it is read with cursors). */
export interface Connection<T> {
  edges: readonly { node: T }[]
  totalCount: number
  pageInfo?: { hasNextPage: boolean; endCursor?: string | null }
}

export interface ListOptions<R, T> {
  /** Ask the API for the current rows. */
  fetch: () => Promise<R>
  /** The connection in the answer; none when the API does not let the viewer read the list. */
  connection: (result: R) => Connection<T> | null | undefined
  /** Shown when the answer has no connection. */
  unreadable?: string
  /** After an answer's rows are shown (e.g. to keep a selection to them). */
  onLoaded?: (rows: T[]) => void
}

export function useListLoader<R, T>(options: ListOptions<R, T>) {
  /** The last answer that had rows (e.g. the structure they belong to). */
  const result = shallowRef<R | null>(null)
  const rows = ref([]) as Ref<T[]>
  const total = ref(0)
  const hasNext = ref(false)
  const endCursor = ref<string | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)
  let sequence = 0

  async function load() {
    const current = ++sequence
    loading.value = true
    error.value = null
    try {
      const data = await options.fetch()
      if (current !== sequence) return
      const connection = options.connection(data)
      if (!connection) {
        result.value = null
        rows.value = []
        total.value = 0
        error.value = options.unreadable ?? failureMessage(null)
        return
      }
      result.value = data
      rows.value = connection.edges.map((edge) => edge.node)
      total.value = connection.totalCount
      hasNext.value = connection.pageInfo?.hasNextPage ?? false
      endCursor.value = connection.pageInfo?.endCursor ?? null
      options.onLoaded?.(rows.value)
    } catch (e) {
      if (current !== sequence) return
      rows.value = []
      total.value = 0
      error.value = failureMessage(e)
    } finally {
      if (current === sequence) loading.value = false
    }
  }

  /** Nothing to show (e.g. no structure chosen); a request on its way is discarded. */
  function clear() {
    sequence += 1
    result.value = null
    rows.value = []
    total.value = 0
    loading.value = false
  }

  return { result, rows, total, hasNext, endCursor, loading, error, load, clear }
}

/** What « Page précédente / Page suivante » needs of a list read with cursors (ListPagination). */
export interface CursorPages {
  /** 1-based. */
  page: Ref<number>
  pageSize: number
  total: Ref<number>
  hasNext: Ref<boolean>
  next: () => void
  previous: () => void
}

/**
 * The same, read with cursors, `pageSize` rows a page: « Page suivante » remembers the cursor of each
 * page read so far, so that « Page précédente » goes back to it.
 */
export function useCursorList<R, T>(
  pageSize: number,
  options: Omit<ListOptions<R, T>, 'fetch'> & { fetch: (page: { first: number; after: string | null }) => Promise<R> },
) {
  /** `after` of each page read so far: cursors[0] is the first page's (null). */
  let cursors: (string | null)[] = [null]
  /** 1-based. */
  const page = ref(1)
  const list = useListLoader<R, T>({
    ...options,
    fetch: () => options.fetch({ first: pageSize, after: cursors[page.value - 1] ?? null }),
  })

  /** Back to the first page (after a change of filters or sort). */
  function reload() {
    cursors = [null]
    page.value = 1
    void list.load()
  }

  function next() {
    if (!list.hasNext.value) return
    cursors[page.value] = list.endCursor.value
    page.value += 1
    void list.load()
  }

  function previous() {
    if (page.value <= 1) return
    page.value -= 1
    void list.load()
  }

  return { ...list, page, pageSize, reload, next, previous }
}

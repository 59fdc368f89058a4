/**
 * The headers of a table sorted by one column at a time (DSFR `fr-cell--sort`): what `aria-sort`
 * says, the arrow shown and the button's label, for the sort the list is in.
 */
import type { SortDirection } from '@/graphql/generated'

export function sortHeaders<F extends string>(field: () => F, direction: () => SortDirection) {
  function ariaSort(column: F): 'ascending' | 'descending' | undefined {
    if (field() !== column) return undefined
    return direction() === 'ASC' ? 'ascending' : 'descending'
  }

  function sortIcon(column: F): string {
    if (field() !== column) return 'fr-icon-arrow-up-down-line'
    return direction() === 'ASC' ? 'fr-icon-arrow-up-line' : 'fr-icon-arrow-down-line'
  }

  /** « Trier par nom, ordre décroissant »: what a click on the column does. */
  function sortLabel(column: F, label: string): string {
    const next = field() === column && direction() === 'ASC' ? 'décroissant' : 'croissant'
    return `Trier par ${label.toLowerCase()}, ordre ${next}`
  }

  return { ariaSort, sortIcon, sortLabel }
}

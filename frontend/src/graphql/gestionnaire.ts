/**
 * The operations of « Activités du gestionnaire » and of « Désigner ou remplacer un gestionnaire
 * principal » (domains/organisation/), one per file in gestionnaire/, typed with the generated types.
 * The transfer itself is TRANSFER_PRINCIPAL_MANAGER of structures.ts.
 */
import { operation } from './client'
import type {
  StaffManagedStructuresQuery,
  StaffManagedStructuresQueryVariables,
  StaffStructureManagerQuery,
  StaffStructureManagerQueryVariables,
  StructureActivityFiltersQuery,
  StructureActivityFiltersQueryVariables,
  StructureActivityQuery,
  StructureActivityQueryVariables,
} from './generated'
import staffManagedStructures from './gestionnaire/staff-managed-structures.graphql?raw'
import staffStructureManager from './gestionnaire/staff-structure-manager.graphql?raw'
import structureActivityFilters from './gestionnaire/structure-activity-filters.graphql?raw'
import structureActivity from './gestionnaire/structure-activity.graphql?raw'
import structureActiveMembersFields from './structures/structure-active-members-fields.graphql?raw'

// Activités du gestionnaire
export const STRUCTURE_ACTIVITY = operation<StructureActivityQuery, StructureActivityQueryVariables>(structureActivity)
export const STRUCTURE_ACTIVITY_FILTERS = operation<StructureActivityFiltersQuery, StructureActivityFiltersQueryVariables>(
  structureActivityFilters,
)

// Désigner ou remplacer un gestionnaire principal
export const STAFF_STRUCTURE_MANAGER = operation<StaffStructureManagerQuery, StaffStructureManagerQueryVariables>(
  staffStructureManager + structureActiveMembersFields,
)
export const STAFF_MANAGED_STRUCTURES = operation<StaffManagedStructuresQuery, StaffManagedStructuresQueryVariables>(
  staffManagedStructures,
)

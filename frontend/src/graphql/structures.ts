/**
 * The operations of the Organisation › Structures screens (domains/organisation/, components/StructurePicker),
 * one per file in structures/, typed with the generated types. The fragments are appended to the
 * operations that spread them.
 */
import { operation } from './client'
import type {
  ActivateBankAccountMutation,
  ActivateBankAccountMutationVariables,
  ActivateServiceMutation,
  ActivateServiceMutationVariables,
  ActivateStructureMutation,
  ActivateStructureMutationVariables,
  CreateBankAccountMutation,
  CreateBankAccountMutationVariables,
  CreateServiceMutation,
  CreateServiceMutationVariables,
  CreateStructureMutation,
  CreateStructureMutationVariables,
  DeactivateBankAccountMutation,
  DeactivateBankAccountMutationVariables,
  DeactivateServiceMutation,
  DeactivateServiceMutationVariables,
  DeactivateStructureMutation,
  DeactivateStructureMutationVariables,
  DeleteStructureDocumentMutation,
  DeleteStructureDocumentMutationVariables,
  DuplicateStructureMutation,
  DuplicateStructureMutationVariables,
  ManageStructureQuery,
  ManageStructureQueryVariables,
  ManagedStructuresQuery,
  ManagedStructuresQueryVariables,
  PickerStructureQuery,
  PickerStructureQueryVariables,
  PickerStructuresQuery,
  PickerStructuresQueryVariables,
  RefreshStructureFromSireneMutation,
  RefreshStructureFromSireneMutationVariables,
  SireneEstablishmentQuery,
  SireneEstablishmentQueryVariables,
  StructureBankAccountsQuery,
  StructureBankAccountsQueryVariables,
  StructureByIdentifierQuery,
  StructureByIdentifierQueryVariables,
  StructureDocumentsQuery,
  StructureDocumentsQueryVariables,
  StructureServicesQuery,
  StructureServicesQueryVariables,
  TransferCandidatesQuery,
  TransferCandidatesQueryVariables,
  TransferPrincipalManagerMutation,
  TransferPrincipalManagerMutationVariables,
  UpdateBankAccountMutation,
  UpdateBankAccountMutationVariables,
  UpdateServiceMutation,
  UpdateServiceMutationVariables,
  UpdateStructureMutation,
  UpdateStructureMutationVariables,
  UploadStructureDocumentMutation,
  UploadStructureDocumentMutationVariables,
} from './generated'
import activateBankAccount from './structures/activate-bank-account.graphql?raw'
import activateService from './structures/activate-service.graphql?raw'
import activateStructure from './structures/activate-structure.graphql?raw'
import bankAccountFields from './structures/bank-account-fields.graphql?raw'
import createBankAccount from './structures/create-bank-account.graphql?raw'
import createService from './structures/create-service.graphql?raw'
import createStructure from './structures/create-structure.graphql?raw'
import deactivateBankAccount from './structures/deactivate-bank-account.graphql?raw'
import deactivateService from './structures/deactivate-service.graphql?raw'
import deactivateStructure from './structures/deactivate-structure.graphql?raw'
import deleteStructureDocument from './structures/delete-structure-document.graphql?raw'
import duplicateStructure from './structures/duplicate-structure.graphql?raw'
import manageStructure from './structures/manage-structure.graphql?raw'
import managedStructures from './structures/managed-structures.graphql?raw'
import pickerStructure from './structures/picker-structure.graphql?raw'
import pickerStructures from './structures/picker-structures.graphql?raw'
import refreshStructureFromSirene from './structures/refresh-structure-from-sirene.graphql?raw'
import serviceFields from './structures/service-fields.graphql?raw'
import sireneEstablishment from './structures/sirene-establishment.graphql?raw'
import structureBankAccounts from './structures/structure-bank-accounts.graphql?raw'
import structureByIdentifier from './structures/structure-by-identifier.graphql?raw'
import structureDocuments from './structures/structure-documents.graphql?raw'
import structureFields from './structures/structure-fields.graphql?raw'
import structureActiveMembersFields from './structures/structure-active-members-fields.graphql?raw'
import structureServices from './structures/structure-services.graphql?raw'
import transferCandidates from './structures/transfer-candidates.graphql?raw'
import transferPrincipalManager from './structures/transfer-principal-manager.graphql?raw'
import updateBankAccount from './structures/update-bank-account.graphql?raw'
import updateService from './structures/update-service.graphql?raw'
import updateStructure from './structures/update-structure.graphql?raw'
import uploadStructureDocument from './structures/upload-structure-document.graphql?raw'

// StructurePicker
export const PICKER_STRUCTURES = operation<PickerStructuresQuery, PickerStructuresQueryVariables>(pickerStructures)
export const PICKER_STRUCTURE = operation<PickerStructureQuery, PickerStructureQueryVariables>(pickerStructure)

// Créer / Gérer / Dupliquer une structure
export const SIRENE_ESTABLISHMENT = operation<SireneEstablishmentQuery, SireneEstablishmentQueryVariables>(sireneEstablishment)
export const CREATE_STRUCTURE = operation<CreateStructureMutation, CreateStructureMutationVariables>(createStructure)
export const MANAGE_STRUCTURE = operation<ManageStructureQuery, ManageStructureQueryVariables>(manageStructure + structureFields)
export const UPDATE_STRUCTURE = operation<UpdateStructureMutation, UpdateStructureMutationVariables>(updateStructure + structureFields)
export const ACTIVATE_STRUCTURE = operation<ActivateStructureMutation, ActivateStructureMutationVariables>(activateStructure + structureFields)
export const DEACTIVATE_STRUCTURE = operation<DeactivateStructureMutation, DeactivateStructureMutationVariables>(deactivateStructure + structureFields)
export const REFRESH_STRUCTURE_FROM_SIRENE = operation<RefreshStructureFromSireneMutation, RefreshStructureFromSireneMutationVariables>(refreshStructureFromSirene + structureFields)
export const STRUCTURE_BY_IDENTIFIER = operation<StructureByIdentifierQuery, StructureByIdentifierQueryVariables>(structureByIdentifier)
export const DUPLICATE_STRUCTURE = operation<DuplicateStructureMutation, DuplicateStructureMutationVariables>(duplicateStructure)

// Transférer le gestionnaire principal
export const MANAGED_STRUCTURES = operation<ManagedStructuresQuery, ManagedStructuresQueryVariables>(managedStructures)
export const TRANSFER_CANDIDATES = operation<TransferCandidatesQuery, TransferCandidatesQueryVariables>(
  transferCandidates + structureActiveMembersFields,
)
export const TRANSFER_PRINCIPAL_MANAGER = operation<TransferPrincipalManagerMutation, TransferPrincipalManagerMutationVariables>(transferPrincipalManager)

// Créer / Gérer un service
export const STRUCTURE_SERVICES = operation<StructureServicesQuery, StructureServicesQueryVariables>(structureServices + serviceFields)
export const CREATE_SERVICE = operation<CreateServiceMutation, CreateServiceMutationVariables>(createService + serviceFields)
export const UPDATE_SERVICE = operation<UpdateServiceMutation, UpdateServiceMutationVariables>(updateService + serviceFields)
export const ACTIVATE_SERVICE = operation<ActivateServiceMutation, ActivateServiceMutationVariables>(activateService + serviceFields)
export const DEACTIVATE_SERVICE = operation<DeactivateServiceMutation, DeactivateServiceMutationVariables>(deactivateService + serviceFields)

// Créer / Gérer une coordonnée bancaire
export const STRUCTURE_BANK_ACCOUNTS = operation<StructureBankAccountsQuery, StructureBankAccountsQueryVariables>(structureBankAccounts + bankAccountFields)
export const CREATE_BANK_ACCOUNT = operation<CreateBankAccountMutation, CreateBankAccountMutationVariables>(createBankAccount + bankAccountFields)
export const UPDATE_BANK_ACCOUNT = operation<UpdateBankAccountMutation, UpdateBankAccountMutationVariables>(updateBankAccount + bankAccountFields)
export const ACTIVATE_BANK_ACCOUNT = operation<ActivateBankAccountMutation, ActivateBankAccountMutationVariables>(activateBankAccount + bankAccountFields)
export const DEACTIVATE_BANK_ACCOUNT = operation<DeactivateBankAccountMutation, DeactivateBankAccountMutationVariables>(deactivateBankAccount + bankAccountFields)

// Pièces jointes d'une structure
export const STRUCTURE_DOCUMENTS = operation<StructureDocumentsQuery, StructureDocumentsQueryVariables>(structureDocuments)
export const UPLOAD_STRUCTURE_DOCUMENT = operation<UploadStructureDocumentMutation, UploadStructureDocumentMutationVariables>(uploadStructureDocument)
export const DELETE_STRUCTURE_DOCUMENT = operation<DeleteStructureDocumentMutation, DeleteStructureDocumentMutationVariables>(deleteStructureDocument)

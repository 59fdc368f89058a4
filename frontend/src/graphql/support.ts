/**
 * The operations of the Support screens (domains/support/), one per file in support/, typed with the
 * generated types. The fragments are appended to the operations that spread them.
 */
import { operation } from './client'
import type {
  AcceptTicketSolutionMutation,
  AcceptTicketSolutionMutationVariables,
  AssignTicketMutation,
  AssignTicketMutationVariables,
  CloseTicketMutation,
  CloseTicketMutationVariables,
  CommentTicketMutation,
  CommentTicketMutationVariables,
  DeleteTicketDraftMutation,
  DeleteTicketDraftMutationVariables,
  IssuedTicketsQuery,
  IssuedTicketsQueryVariables,
  ProvideTicketInformationMutation,
  ProvideTicketInformationMutationVariables,
  ReceivedTicketsQuery,
  ReceivedTicketsQueryVariables,
  ReopenTicketMutation,
  ReopenTicketMutationVariables,
  RequestTicketInformationMutation,
  RequestTicketInformationMutationVariables,
  ResolveTicketMutation,
  ResolveTicketMutationVariables,
  SaveTicketDraftMutation,
  SaveTicketDraftMutationVariables,
  SubmitTicketMutation,
  SubmitTicketMutationVariables,
  TicketCategoriesQuery,
  TicketCategoriesQueryVariables,
  TicketActivitiesLiveSubscription,
  TicketActivitiesLiveSubscriptionVariables,
  TicketDetailsQuery,
  TicketDetailsQueryVariables,
  TicketDraftQuery,
  TicketDraftQueryVariables,
  TicketIssuersQuery,
  TicketIssuersQueryVariables,
  TicketStructureServicesQuery,
  TicketStructureServicesQueryVariables,
  TransferTicketToSupportMutation,
  TransferTicketToSupportMutationVariables,
} from './generated'
import acceptTicketSolution from './support/accept-ticket-solution.graphql?raw'
import assignTicket from './support/assign-ticket.graphql?raw'
import closeTicket from './support/close-ticket.graphql?raw'
import commentTicket from './support/comment-ticket.graphql?raw'
import deleteTicketDraft from './support/delete-ticket-draft.graphql?raw'
import issuedTickets from './support/issued-tickets.graphql?raw'
import provideTicketInformation from './support/provide-ticket-information.graphql?raw'
import receivedTickets from './support/received-tickets.graphql?raw'
import reopenTicket from './support/reopen-ticket.graphql?raw'
import requestTicketInformation from './support/request-ticket-information.graphql?raw'
import resolveTicket from './support/resolve-ticket.graphql?raw'
import saveTicketDraft from './support/save-ticket-draft.graphql?raw'
import submitTicket from './support/submit-ticket.graphql?raw'
import ticketCategories from './support/ticket-categories.graphql?raw'
import ticketDetailsFields from './support/ticket-details-fields.graphql?raw'
import ticketActivitiesLive from './support/ticket-activities-live.graphql?raw'
import ticketActivityFields from './support/ticket-activity-fields.graphql?raw'
import ticketDetails from './support/ticket-details.graphql?raw'
import ticketDraftFields from './support/ticket-draft-fields.graphql?raw'
import ticketDraft from './support/ticket-draft.graphql?raw'
import ticketIssuers from './support/ticket-issuers.graphql?raw'
import ticketRowFields from './support/ticket-row-fields.graphql?raw'
import ticketStructureServices from './support/ticket-structure-services.graphql?raw'
import transferTicketToSupport from './support/transfer-ticket-to-support.graphql?raw'

/** TicketDetailsFields spreads TicketActivityFields: an operation that spreads the first carries both. */
const detailsFields = ticketDetailsFields + ticketActivityFields

// Créer un ticket (and edit a draft)
export const TICKET_CATEGORIES = operation<TicketCategoriesQuery, TicketCategoriesQueryVariables>(ticketCategories)
export const TICKET_ISSUERS = operation<TicketIssuersQuery, TicketIssuersQueryVariables>(ticketIssuers)
export const TICKET_STRUCTURE_SERVICES = operation<TicketStructureServicesQuery, TicketStructureServicesQueryVariables>(ticketStructureServices)
export const TICKET_DRAFT = operation<TicketDraftQuery, TicketDraftQueryVariables>(ticketDraft + ticketDraftFields)
export const SAVE_TICKET_DRAFT = operation<SaveTicketDraftMutation, SaveTicketDraftMutationVariables>(saveTicketDraft + ticketDraftFields)
export const SUBMIT_TICKET = operation<SubmitTicketMutation, SubmitTicketMutationVariables>(submitTicket)
export const DELETE_TICKET_DRAFT = operation<DeleteTicketDraftMutation, DeleteTicketDraftMutationVariables>(deleteTicketDraft)

// Tickets émis, Tickets reçus
export const ISSUED_TICKETS = operation<IssuedTicketsQuery, IssuedTicketsQueryVariables>(issuedTickets + ticketRowFields)
export const RECEIVED_TICKETS = operation<ReceivedTicketsQuery, ReceivedTicketsQueryVariables>(receivedTickets + ticketRowFields)

// A ticket's page: its details, and the steps of its life cycle (each answers the ticket after the change)
export const TICKET_DETAILS = operation<TicketDetailsQuery, TicketDetailsQueryVariables>(ticketDetails + detailsFields)
export const TICKET_ACTIVITIES_LIVE = operation<TicketActivitiesLiveSubscription, TicketActivitiesLiveSubscriptionVariables>(ticketActivitiesLive + ticketActivityFields)
export const PROVIDE_TICKET_INFORMATION = operation<ProvideTicketInformationMutation, ProvideTicketInformationMutationVariables>(provideTicketInformation + detailsFields)
export const CLOSE_TICKET = operation<CloseTicketMutation, CloseTicketMutationVariables>(closeTicket + detailsFields)
export const ACCEPT_TICKET_SOLUTION = operation<AcceptTicketSolutionMutation, AcceptTicketSolutionMutationVariables>(acceptTicketSolution + detailsFields)
export const REOPEN_TICKET = operation<ReopenTicketMutation, ReopenTicketMutationVariables>(reopenTicket + detailsFields)
export const ASSIGN_TICKET = operation<AssignTicketMutation, AssignTicketMutationVariables>(assignTicket + detailsFields)
export const REQUEST_TICKET_INFORMATION = operation<RequestTicketInformationMutation, RequestTicketInformationMutationVariables>(requestTicketInformation + detailsFields)
export const RESOLVE_TICKET = operation<ResolveTicketMutation, ResolveTicketMutationVariables>(resolveTicket + detailsFields)
export const TRANSFER_TICKET_TO_SUPPORT = operation<TransferTicketToSupportMutation, TransferTicketToSupportMutationVariables>(transferTicketToSupport + detailsFields)
export const COMMENT_TICKET = operation<CommentTicketMutation, CommentTicketMutationVariables>(commentTicket + detailsFields)

/** The SPA's GraphQL operations, typed with the generated types. */
import { operation } from './client'
import type {
  AccountApiTokensQuery,
  AccountApiTokensQueryVariables,
  AccountSessionsQuery,
  AccountSessionsQueryVariables,
  AccountViewerQuery,
  AccountViewerQueryVariables,
  ChangePasswordMutation,
  ChangePasswordMutationVariables,
  ConfirmTwoFactorMutation,
  ConfirmTwoFactorMutationVariables,
  CreateApiTokenMutation,
  CreateApiTokenMutationVariables,
  DeactivateMyAccountMutation,
  DeactivateMyAccountMutationVariables,
  DisableTwoFactorMutation,
  DisableTwoFactorMutationVariables,
  DomainApplicationsQuery,
  DomainApplicationsQueryVariables,
  EndSessionMutation,
  EndSessionMutationVariables,
  LogInMutation,
  LogInMutationVariables,
  LogOutMutation,
  LogOutMutationVariables,
  RequestPasswordResetMutation,
  RequestPasswordResetMutationVariables,
  ResendVerificationEmailMutation,
  ResendVerificationEmailMutationVariables,
  ResetPasswordMutation,
  ResetPasswordMutationVariables,
  RevokeApiTokenMutation,
  RevokeApiTokenMutationVariables,
  SessionViewerQuery,
  SessionViewerQueryVariables,
  SignUpMutation,
  SignUpMutationVariables,
  StartTwoFactorMutation,
  StartTwoFactorMutationVariables,
  UpdateMyAccountMutation,
  UpdateMyAccountMutationVariables,
  VerifyEmailMutation,
  VerifyEmailMutationVariables,
} from './generated'
// Organisation › Utilisateurs and Approbations (domains/organisation/): one operation per file.
import type {
  AddHabilitationMutation,
  AddHabilitationMutationVariables,
  AddHabilitationsMutation,
  AddHabilitationsMutationVariables,
  ApprovalDetailsQuery,
  ApprovalDetailsQueryVariables,
  ApprovalsListQuery,
  ApprovalsListQueryVariables,
  ApproveApprovalsMutation,
  ApproveApprovalsMutationVariables,
  ApproveMutation,
  ApproveMutationVariables,
  AttachUserMutation,
  AttachUserMutationVariables,
  CommentApprovalMutation,
  CommentApprovalMutationVariables,
  CopyHabilitationsMutation,
  CopyHabilitationsMutationVariables,
  CopyHabilitationsToUsersMutation,
  CopyHabilitationsToUsersMutationVariables,
  DetachUserMutation,
  DetachUserMutationVariables,
  HabilitationRowsQuery,
  HabilitationRowsQueryVariables,
  MyHabilitationsQuery,
  MyHabilitationsQueryVariables,
  PendingApprovalCountLiveSubscription,
  PendingApprovalCountLiveSubscriptionVariables,
  PendingApprovalCountQuery,
  PendingApprovalCountQueryVariables,
  RefuseApprovalsMutation,
  RefuseApprovalsMutationVariables,
  RefuseMutation,
  RefuseMutationVariables,
  RemoveAllHabilitationsMutation,
  RemoveAllHabilitationsMutationVariables,
  RemoveAllHabilitationsOfUsersMutation,
  RemoveAllHabilitationsOfUsersMutationVariables,
  RemoveHabilitationMutation,
  RemoveHabilitationMutationVariables,
  ReplaceHabilitationMutation,
  ReplaceHabilitationMutationVariables,
  RequestAttachmentMutation,
  RequestAttachmentMutationVariables,
  RequestHabilitationChangeMutation,
  RequestHabilitationChangeMutationVariables,
  RevokeInvitationMutation,
  RevokeInvitationMutationVariables,
  StructureInvitationsQuery,
  StructureInvitationsQueryVariables,
  UserDetailsQuery,
  UserDetailsQueryVariables,
  UsersCancelApprovalMutation,
  UsersCancelApprovalMutationVariables,
  UsersListQuery,
  UsersListQueryVariables,
  UsersMyPendingRequestsQuery,
  UsersMyPendingRequestsQueryVariables,
  UsersProfilesQuery,
  UsersProfilesQueryVariables,
  UsersStructureMembersQuery,
  UsersStructureMembersQueryVariables,
  UsersStructureServicesQuery,
  UsersStructureServicesQueryVariables,
} from './generated'
import approvalDetailsFields from './approbations/approval-details-fields.graphql?raw'
import addHabilitation from './utilisateurs/add-habilitation.graphql?raw'
import addHabilitations from './utilisateurs/add-habilitations.graphql?raw'
import attachUser from './utilisateurs/attach-user.graphql?raw'
import copyHabilitationsToUsers from './utilisateurs/copy-habilitations-to-users.graphql?raw'
import copyHabilitations from './utilisateurs/copy-habilitations.graphql?raw'
import detachUser from './utilisateurs/detach-user.graphql?raw'
import habilitationRows from './utilisateurs/habilitation-rows.graphql?raw'
import myHabilitations from './utilisateurs/my-habilitations.graphql?raw'
import removeAllHabilitationsOfUsers from './utilisateurs/remove-all-habilitations-of-users.graphql?raw'
import removeAllHabilitations from './utilisateurs/remove-all-habilitations.graphql?raw'
import removeHabilitation from './utilisateurs/remove-habilitation.graphql?raw'
import replaceHabilitation from './utilisateurs/replace-habilitation.graphql?raw'
import requestAttachment from './utilisateurs/request-attachment.graphql?raw'
import requestHabilitationChange from './utilisateurs/request-habilitation-change.graphql?raw'
import revokeInvitation from './utilisateurs/revoke-invitation.graphql?raw'
import structureInvitations from './utilisateurs/structure-invitations.graphql?raw'
import userDetails from './utilisateurs/user-details.graphql?raw'
import usersCancelApproval from './utilisateurs/users-cancel-approval.graphql?raw'
import usersList from './utilisateurs/users-list.graphql?raw'
import usersMyPendingRequests from './utilisateurs/users-my-pending-requests.graphql?raw'
import usersProfiles from './utilisateurs/users-profiles.graphql?raw'
import usersStructureMembers from './utilisateurs/users-structure-members.graphql?raw'
import usersStructureServices from './utilisateurs/users-structure-services.graphql?raw'
import approvalDetails from './approbations/approval-details.graphql?raw'
import approvalsList from './approbations/approvals-list.graphql?raw'
import approveApprovals from './approbations/approve-approvals.graphql?raw'
import approve from './approbations/approve.graphql?raw'
import commentApproval from './approbations/comment-approval.graphql?raw'
import pendingApprovalCount from './approbations/pending-approval-count.graphql?raw'
import pendingApprovalCountLive from './approbations/pending-approval-count-live.graphql?raw'
import refuseApprovals from './approbations/refuse-approvals.graphql?raw'
import refuse from './approbations/refuse.graphql?raw'
import accountApiTokens from './account/account-api-tokens.graphql?raw'
import accountSessions from './account/account-sessions.graphql?raw'
import accountViewer from './account/account-viewer.graphql?raw'
import changePassword from './account/change-password.graphql?raw'
import confirmTwoFactor from './account/confirm-two-factor.graphql?raw'
import createApiToken from './account/create-api-token.graphql?raw'
import deactivateMyAccount from './account/deactivate-my-account.graphql?raw'
import disableTwoFactor from './account/disable-two-factor.graphql?raw'
import endSession from './account/end-session.graphql?raw'
import logIn from './account/log-in.graphql?raw'
import logOut from './account/log-out.graphql?raw'
import requestPasswordReset from './account/request-password-reset.graphql?raw'
import resendVerificationEmail from './account/resend-verification-email.graphql?raw'
import resetPassword from './account/reset-password.graphql?raw'
import revokeApiToken from './account/revoke-api-token.graphql?raw'
import signUp from './account/sign-up.graphql?raw'
import startTwoFactor from './account/start-two-factor.graphql?raw'
import updateMyAccount from './account/update-my-account.graphql?raw'
import verifyEmail from './account/verify-email.graphql?raw'
import domainApplications from './domain-applications.graphql?raw'
import sessionViewer from './session.graphql?raw'

export const DOMAIN_APPLICATIONS = operation<DomainApplicationsQuery, DomainApplicationsQueryVariables>(
  domainApplications,
)

export const SESSION_VIEWER = operation<SessionViewerQuery, SessionViewerQueryVariables>(sessionViewer)

// The account screens (pages/account/), one operation per file in account/.
export const ACCOUNT_VIEWER = operation<AccountViewerQuery, AccountViewerQueryVariables>(accountViewer)
export const ACCOUNT_SESSIONS = operation<AccountSessionsQuery, AccountSessionsQueryVariables>(accountSessions)
export const ACCOUNT_API_TOKENS = operation<AccountApiTokensQuery, AccountApiTokensQueryVariables>(accountApiTokens)
export const SIGN_UP = operation<SignUpMutation, SignUpMutationVariables>(signUp)
export const LOG_IN = operation<LogInMutation, LogInMutationVariables>(logIn)
export const LOG_OUT = operation<LogOutMutation, LogOutMutationVariables>(logOut)
export const VERIFY_EMAIL = operation<VerifyEmailMutation, VerifyEmailMutationVariables>(verifyEmail)
export const REQUEST_PASSWORD_RESET = operation<RequestPasswordResetMutation, RequestPasswordResetMutationVariables>(requestPasswordReset)
export const RESET_PASSWORD = operation<ResetPasswordMutation, ResetPasswordMutationVariables>(resetPassword)
export const RESEND_VERIFICATION_EMAIL = operation<ResendVerificationEmailMutation, ResendVerificationEmailMutationVariables>(resendVerificationEmail)
export const UPDATE_MY_ACCOUNT = operation<UpdateMyAccountMutation, UpdateMyAccountMutationVariables>(updateMyAccount)
export const CHANGE_PASSWORD = operation<ChangePasswordMutation, ChangePasswordMutationVariables>(changePassword)
export const END_SESSION = operation<EndSessionMutation, EndSessionMutationVariables>(endSession)
export const CREATE_API_TOKEN = operation<CreateApiTokenMutation, CreateApiTokenMutationVariables>(createApiToken)
export const REVOKE_API_TOKEN = operation<RevokeApiTokenMutation, RevokeApiTokenMutationVariables>(revokeApiToken)
export const START_TWO_FACTOR = operation<StartTwoFactorMutation, StartTwoFactorMutationVariables>(startTwoFactor)
export const CONFIRM_TWO_FACTOR = operation<ConfirmTwoFactorMutation, ConfirmTwoFactorMutationVariables>(confirmTwoFactor)
export const DISABLE_TWO_FACTOR = operation<DisableTwoFactorMutation, DisableTwoFactorMutationVariables>(disableTwoFactor)
export const DEACTIVATE_MY_ACCOUNT = operation<DeactivateMyAccountMutation, DeactivateMyAccountMutationVariables>(deactivateMyAccount)

// Organisation › Utilisateurs and Approbations (domains/organisation/): one operation per file in
// utilisateurs/ and approbations/; the approval's page adds the fragment it spreads.
export const ADD_HABILITATION = operation<AddHabilitationMutation, AddHabilitationMutationVariables>(addHabilitation)
export const ADD_HABILITATIONS = operation<AddHabilitationsMutation, AddHabilitationsMutationVariables>(addHabilitations)
export const ATTACH_USER = operation<AttachUserMutation, AttachUserMutationVariables>(attachUser)
export const COPY_HABILITATIONS_TO_USERS = operation<CopyHabilitationsToUsersMutation, CopyHabilitationsToUsersMutationVariables>(copyHabilitationsToUsers)
export const COPY_HABILITATIONS = operation<CopyHabilitationsMutation, CopyHabilitationsMutationVariables>(copyHabilitations)
export const DETACH_USER = operation<DetachUserMutation, DetachUserMutationVariables>(detachUser)
export const HABILITATION_ROWS = operation<HabilitationRowsQuery, HabilitationRowsQueryVariables>(habilitationRows)
export const MY_HABILITATIONS = operation<MyHabilitationsQuery, MyHabilitationsQueryVariables>(myHabilitations)
export const REMOVE_ALL_HABILITATIONS_OF_USERS = operation<RemoveAllHabilitationsOfUsersMutation, RemoveAllHabilitationsOfUsersMutationVariables>(removeAllHabilitationsOfUsers)
export const REMOVE_ALL_HABILITATIONS = operation<RemoveAllHabilitationsMutation, RemoveAllHabilitationsMutationVariables>(removeAllHabilitations)
export const REMOVE_HABILITATION = operation<RemoveHabilitationMutation, RemoveHabilitationMutationVariables>(removeHabilitation)
export const REPLACE_HABILITATION = operation<ReplaceHabilitationMutation, ReplaceHabilitationMutationVariables>(replaceHabilitation)
export const REQUEST_ATTACHMENT = operation<RequestAttachmentMutation, RequestAttachmentMutationVariables>(requestAttachment)
export const REQUEST_HABILITATION_CHANGE = operation<RequestHabilitationChangeMutation, RequestHabilitationChangeMutationVariables>(requestHabilitationChange)
export const REVOKE_INVITATION = operation<RevokeInvitationMutation, RevokeInvitationMutationVariables>(revokeInvitation)
export const STRUCTURE_INVITATIONS = operation<StructureInvitationsQuery, StructureInvitationsQueryVariables>(structureInvitations)
export const USER_DETAILS = operation<UserDetailsQuery, UserDetailsQueryVariables>(userDetails)
export const USERS_CANCEL_APPROVAL = operation<UsersCancelApprovalMutation, UsersCancelApprovalMutationVariables>(usersCancelApproval)
export const USERS_LIST = operation<UsersListQuery, UsersListQueryVariables>(usersList)
export const USERS_MY_PENDING_REQUESTS = operation<UsersMyPendingRequestsQuery, UsersMyPendingRequestsQueryVariables>(usersMyPendingRequests)
export const USERS_PROFILES = operation<UsersProfilesQuery, UsersProfilesQueryVariables>(usersProfiles)
export const USERS_STRUCTURE_MEMBERS = operation<UsersStructureMembersQuery, UsersStructureMembersQueryVariables>(usersStructureMembers)
export const USERS_STRUCTURE_SERVICES = operation<UsersStructureServicesQuery, UsersStructureServicesQueryVariables>(usersStructureServices)
export const APPROVAL_DETAILS = operation<ApprovalDetailsQuery, ApprovalDetailsQueryVariables>(approvalDetails + approvalDetailsFields)
export const APPROVALS_LIST = operation<ApprovalsListQuery, ApprovalsListQueryVariables>(approvalsList)
export const APPROVE_APPROVALS = operation<ApproveApprovalsMutation, ApproveApprovalsMutationVariables>(approveApprovals)
export const APPROVE = operation<ApproveMutation, ApproveMutationVariables>(approve + approvalDetailsFields)
export const COMMENT_APPROVAL = operation<CommentApprovalMutation, CommentApprovalMutationVariables>(commentApproval + approvalDetailsFields)
export const PENDING_APPROVAL_COUNT = operation<PendingApprovalCountQuery, PendingApprovalCountQueryVariables>(pendingApprovalCount)
export const PENDING_APPROVAL_COUNT_LIVE = operation<PendingApprovalCountLiveSubscription, PendingApprovalCountLiveSubscriptionVariables>(pendingApprovalCountLive)
export const REFUSE_APPROVALS = operation<RefuseApprovalsMutation, RefuseApprovalsMutationVariables>(refuseApprovals)
export const REFUSE = operation<RefuseMutation, RefuseMutationVariables>(refuse + approvalDetailsFields)

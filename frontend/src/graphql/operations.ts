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

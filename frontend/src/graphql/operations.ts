/** The SPA's GraphQL operations, typed with the generated types. */
import { operation } from './client'
import type { DomainApplicationsQuery, DomainApplicationsQueryVariables } from './generated'
import domainApplications from './domain-applications.graphql?raw'

export const DOMAIN_APPLICATIONS = operation<DomainApplicationsQuery, DomainApplicationsQueryVariables>(
  domainApplications,
)

/** The fields of a service form (ServiceFields), and their conversions to and from the API. */
import { ADDRESS_FIELDS, type AddressValues, addressInput, addressValues, emptyAddress } from './address'

export interface ServiceValues {
  code: string
  name: string
  description: string
  validFrom: string
  validUntil: string
  commitmentNumberRequired: boolean
  hasAddress: boolean
  address: AddressValues
}

export const SERVICE_FIELDS = [
  'code',
  'name',
  'description',
  'validFrom',
  'validUntil',
  'commitmentNumberRequired',
  ...ADDRESS_FIELDS,
] as const
export type ServiceField = (typeof SERVICE_FIELDS)[number]

export function emptyService(): ServiceValues {
  return {
    code: '',
    name: '',
    description: '',
    validFrom: '',
    validUntil: '',
    commitmentNumberRequired: false,
    hasAddress: false,
    address: emptyAddress(),
  }
}

interface ServiceLike {
  code: string
  name: string
  description?: string | null
  validFrom?: string | null
  validUntil?: string | null
  commitmentNumberRequired?: boolean | null
  address?: Parameters<typeof addressValues>[0]
}

export function serviceValues(service: ServiceLike): ServiceValues {
  return {
    code: service.code,
    name: service.name,
    description: service.description ?? '',
    validFrom: service.validFrom ?? '',
    validUntil: service.validUntil ?? '',
    commitmentNumberRequired: service.commitmentNumberRequired ?? false,
    hasAddress: Boolean(service.address),
    address: addressValues(service.address),
  }
}

/** The fields shared by CreateServiceInput and UpdateServiceInput. */
export function serviceInput(values: ServiceValues) {
  return {
    name: values.name.trim(),
    description: values.description.trim() === '' ? null : values.description.trim(),
    validFrom: values.validFrom || null,
    validUntil: values.validUntil || null,
    commitmentNumberRequired: values.commitmentNumberRequired,
    address: values.hasAddress ? addressInput(values.address) : null,
  }
}

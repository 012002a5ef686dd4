import type { DeliveryReceipt, MessageProvider, OutgoingMessage } from './provider.ts'

/**
 * The embedded demo's stand-in: nothing leaves the machine. The outbox row it leaves behind,
 * marked sent by this provider, is what /dev/outbox shows. Configuration refuses it in production.
 */
export function createLocalProvider(): MessageProvider {
  return {
    name: 'local',
    async send(message: OutgoingMessage): Promise<DeliveryReceipt> {
      return { provider: 'local', reference: `local-${message.id}` }
    },
  }
}

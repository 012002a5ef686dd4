import { sql, type Kysely } from 'kysely'
import { z } from 'zod'
import type { Database } from '../../database.ts'
import { queueFallback } from './outbox.ts'
import type { MessageStatus } from './tables.ts'

/** The parts of GOV.UK Notify's delivery-receipt callback that a message's status depends on. */
export const notifyDeliveryReceiptSchema = z.object({
  id: z.uuid(),
  reference: z.string().nullish(),
  status: z.string().min(1),
})

export type NotifyDeliveryReceipt = z.infer<typeof notifyDeliveryReceiptSchema>

/**
 * What each of Notify's final statuses means for the outbox. Notify's temporary-failure (the phone
 * was off or the inbox full for 72 hours) and technical-failure are as final as a permanent one
 * for that notification, so none of them is left for the sender to retry; the reason says which.
 */
const finalStatuses: Record<string, { status: MessageStatus; reason: string | null }> = {
  delivered: { status: 'delivered', reason: null },
  'permanent-failure': { status: 'permanent-failure', reason: 'GOV.UK Notify could not deliver it: the number or address does not exist' },
  'temporary-failure': { status: 'permanent-failure', reason: 'GOV.UK Notify could not deliver it: the phone was off or the inbox full' },
  'technical-failure': { status: 'permanent-failure', reason: 'GOV.UK Notify could not deliver it because of a technical failure' },
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Applies a delivery receipt to its message, found by our reference or, failing that, by Notify's
 * id. Statuses on the way (created, sending, pending) change nothing. A receipt for a message that
 * has already been marked delivered or failed is ignored, so a late or repeated one cannot undo it,
 * nor queue a failed message's fallback a second time: the fallback is queued in the transaction
 * that marks the failure, and only when that update changed the message.
 * Returns whether a message was updated.
 */
export async function recordDeliveryReceipt(db: Kysely<Database>, receipt: NotifyDeliveryReceipt): Promise<boolean> {
  const outcome = finalStatuses[receipt.status]
  if (!outcome) return false
  return db.transaction().execute(async (transaction) => {
    const updated = await transaction
      .updateTable('outbox_messages')
      .set({
        status: outcome.status,
        failure_reason: outcome.reason,
        provider: 'notify',
        provider_reference: receipt.id,
        lease_expires_at: null,
        status_updated_at: sql<Date>`now()`,
      })
      .where((where) =>
        receipt.reference && uuid.test(receipt.reference)
          ? where.or([where('id', '=', receipt.reference), where('provider_reference', '=', receipt.id)])
          : where('provider_reference', '=', receipt.id),
      )
      .where('status', 'in', ['sending', 'sent', 'temporary-failure'])
      .returning(['person_id', 'fallback'])
      .execute()
    if (outcome.status === 'permanent-failure') {
      for (const failed of updated) await queueFallback(transaction, failed)
    }
    return updated.length > 0
  })
}

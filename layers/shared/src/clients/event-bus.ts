/**
 * Publishing the API's account events (@shared/events account.ts) to the region's EventBridge bus. The
 * event is validated by its catalog schema before it leaves; the publisher is an interface so logic is
 * tested with an in-memory one.
 */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { API_EVENT_SOURCE } from '../events/account';

export interface AccountEvent {
  readonly type: string;
  readonly eventId: string;
}

export interface EventPublisher {
  publish(event: AccountEvent): Promise<void>;
}

export function eventBridgePublisher(client: EventBridgeClient, busName: string): EventPublisher {
  return {
    async publish(event) {
      const { FailedEntryCount, Entries } = await client.send(
        new PutEventsCommand({ Entries: [{ EventBusName: busName, Source: API_EVENT_SOURCE, DetailType: event.type, Detail: JSON.stringify(event) }] }),
      );
      if (FailedEntryCount) throw new Error(`EventBridge refused ${event.type} ${event.eventId}: ${Entries?.[0]?.ErrorCode} ${Entries?.[0]?.ErrorMessage}`);
    },
  };
}

/**
 * Event subscriptions and webhooks (SAP Concur Event Subscription Service v4, {@code events/v4}).
 *
 * <h2>How an event flows</h2>
 * <pre>
 *  Keycloak commits a user or admin event
 *        │  (same transaction)
 *        ▼
 *  WebhookEventListener ── capture/EventCapture ── one outbox row per subscription whose topic and filter want it
 *        │                 (capture/EventPayload: the body, signed once; capture/OrderKey: the user or resource)
 *        │  after commit: a wake-up
 *        ▼
 *  lanes/LaneScheduler ── leases due subscriptions (store/Outbox: FOR UPDATE SKIP LOCKED, a lease and an epoch)
 *        │                and starts one lanes/Lane per leased subscription, within this node's share
 *        ▼
 *  lanes/Lane ── reads its queue in pieces, lanes/KeySchedule picks what may go (one per user in order, or the head),
 *        │       lanes/SendWindow bounds how many at once
 *        ▼
 *  sender/WebhookSender ── the signed POST (sender/DeliveryHeaders, StandardWebhookSignature, ConcurSignature),
 *        │                 bounded in time and size; sender/RetryPolicy judges the answer
 *        ▼
 *  lanes/GroupCommit ── writes every lane's outcomes in one transaction per batch, fenced on the lease;
 *                       lanes/OutcomeRules decides how each delivery ends and where its subscription goes
 * </pre>
 * People act through {@code api} (the subscribing application: events/v4) and {@code admin} (realm
 * administrators: {@code /admin/realms/{realm}/event-subscriptions} and the console page). Both reach the engine
 * as a Keycloak provider, {@code session.getProvider(EventSubscriptionsProvider.class)} (wired once in
 * {@link dev.kcintegrations.events.EngineSubscriptionsFactory}), and go through
 * {@code lifecycle/SubscriptionLifecycle}, the one service that subscribes, verifies, cancels, requeues, rotates,
 * revokes, disables and enables, and {@code lifecycle/DeliveryHistory}, the one way deliveries are paged (a cursor).
 * {@code ops} holds metrics, readiness and the cluster-wide housekeeping;
 * {@code topics}, {@code config} and {@code catalog} are leaf types every layer may read.
 *
 * <h2>Where to change what</h2>
 * <ul>
 *   <li>A field of a delivered event: {@code capture/EventFacts}, then the catalog ({@code catalog/EventCatalog});
 *       {@code EventCatalogIT} validates every delivered body against it.</li>
 *   <li>A topic or event type: {@code topics}.</li>
 *   <li>A subscription's states: {@code store/SubscriptionStatus} (the table of allowed moves) and
 *       {@code store/SubscriptionEntity#moveTo}, which refuses any other.</li>
 *   <li>A delivery's states: {@code store/DeliveryStatus}; what ends a delivery after a send, retention, 410,
 *       suspension: {@code lanes/OutcomeRules}.</li>
 *   <li>How a lane sends (order keys, window, what it does when its lease is lost): {@code lanes/Lane}, whose edges
 *       are {@code lanes/LaneContext}, {@code LaneStore} and {@code LaneOutcomes}; {@code LaneTest} runs it against
 *       an in-memory queue in milliseconds, the cluster tests against PostgreSQL.</li>
 *   <li>Retry timing and what counts as a failure: {@code sender/RetryPolicy} and {@code config/WebhookSettings}.</li>
 *   <li>An option: {@code config/WebhookSettings} ({@code getConfigMetadata} of {@link dev.kcintegrations.events.WebhookEngine}).</li>
 *   <li>A request of the API: {@code api/EventsApi} and {@code api/SubscriptionRequest} (every field, every refusal).</li>
 * </ul>
 * Each package imports only the ones after it in the flow above ({@code api}, {@code admin} → {@code lifecycle} →
 * {@code capture} → {@code lanes} → {@code sender} → {@code store}), so a rule lives in the lowest package that
 * needs it. {@link dev.kcintegrations.events.WebhookEngine} wires the parts once per node.
 */
package dev.kcintegrations.events;

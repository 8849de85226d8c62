package dev.kcintegrations.events.lifecycle;

import dev.kcintegrations.events.store.SubscriptionEntity;
import dev.kcintegrations.events.store.Subscriptions;
import dev.kcintegrations.events.topics.EventTypeFilter;
import dev.kcintegrations.events.topics.Topics;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * At start-up, names the subscriptions saved before today's rules: an id a URL client would rewrite (reach it
 * by {@value SubscriptionIds#BY_UUID}{@code <uuid>}), or a filter that is refused today (it matches nothing
 * until its application saves a new one); and the declared topics whose {@code eventTypes} is refused today
 * (the topic is skipped until an administrator corrects it). Both keep working as far as they safely can; the warning tells an
 * administrator which rows to look at.
 */
public final class StoredSubscriptionCheck {

    private static final Logger LOG = Logger.getLogger(StoredSubscriptionCheck.class);
    private static final int PAGE = 500;

    private StoredSubscriptionCheck() {
    }

    /** One line per subscription that breaks a rule: realm id, uuid, id, and why. */
    public static List<String> findings(List<SubscriptionEntity> subscriptions) {
        List<String> found = new ArrayList<>();
        for (SubscriptionEntity s : subscriptions) {
            Optional<String> id = SubscriptionIds.problem(s.getName());
            id.ifPresent(problem -> found.add(line(s, problem + "; administrators reach it as " + SubscriptionIds.BY_UUID + s.getId())));
            try {
                EventTypeFilter.compile(s.getFilter());
            } catch (EventTypeFilter.InvalidFilterException refused) {
                found.add(line(s, refused.getMessage() + "; it matches no event until its application saves a new filter"));
            }
        }
        return found;
    }

    public static void logFindings(KeycloakSessionFactory factory) {
        List<String> found = new ArrayList<>();
        for (int first = 0; ; first += PAGE) {
            int from = first;
            List<SubscriptionEntity> page = KeycloakModelUtils.runJobInTransactionWithResult(factory,
                    session -> Subscriptions.everyLive(session, from, PAGE));
            found.addAll(findings(page));
            if (page.size() < PAGE) {
                break;
            }
        }
        if (!found.isEmpty()) {
            LOG.warnf("%d webhook subscription(s) were saved before today's rules:%n  %s", found.size(), String.join("\n  ", found));
        }
        List<String> topics = KeycloakModelUtils.runJobInTransactionWithResult(factory, session -> session.realms().getRealmsStream()
                .flatMap(realm -> Topics.unusable(realm).stream().map(problem -> "realm " + realm.getName() + ", topic " + problem))
                .toList());
        if (!topics.isEmpty()) {
            LOG.warnf("%d event topic(s) were declared before today's rules:%n  %s", topics.size(), String.join("\n  ", topics));
        }
    }

    private static String line(SubscriptionEntity s, String why) {
        return "realm " + s.getRealmId() + ", subscription " + s.getId() + " (id '" + s.getName() + "'): " + why;
    }
}

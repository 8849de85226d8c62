package dev.kcintegrations.events.admin;

import org.keycloak.common.util.Encode;
import org.keycloak.models.ClientModel;
import org.keycloak.models.Constants;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.protocol.oidc.OIDCConfigAttributes;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;

import java.util.Set;

/**
 * The client the event-subscriptions page signs in with, made in each realm as Keycloak makes its own
 * {@code security-admin-console}: public (no secret to keep), authorization code with PKCE only, redirects
 * only to the page, tokens without roles (the admin API checks the user's roles itself). Full scope, as the
 * admin console's: Keycloak's admin API accepts a role only when the calling client may carry it.
 */
final class ConsoleClient {

    static final String CLIENT_ID = "event-subscriptions-console";

    private ConsoleClient() {
    }

    /** The page of a realm, relative to the server's base URL. */
    static String pagePath(RealmModel realm) {
        return "/realms/" + Encode.encodePathAsIs(realm.getName()) + "/" + SubscriptionsConsoleProviderFactory.PROVIDER_ID + "/console/";
    }

    /** Set on a realm once its client was made, so that a client an administrator deleted stays deleted. */
    static final String MADE = "kci.eventSubscriptionsConsole.made";

    /**
     * Makes the client once per realm: not when the realm has one of that id (changed or disabled by an
     * administrator, or imported), nor when it was made before and has since been deleted.
     */
    static void ensure(RealmModel realm) {
        if (realm.getAttribute(MADE) != null || realm.getClientByClientId(CLIENT_ID) != null) {
            return;
        }
        realm.setAttribute(MADE, "true");
        ClientModel client = KeycloakModelUtils.createPublicClient(realm, CLIENT_ID);
        client.setName("Event subscriptions");
        client.setDescription("The realm's webhook subscriptions, for its administrators (view-events, manage-events)");
        client.setRootUrl(Constants.AUTH_BASE_URL_PROP);
        client.setBaseUrl(pagePath(realm));
        client.addRedirectUri(pagePath(realm) + "*");
        client.setWebOrigins(Set.of(Constants.INCLUDE_REDIRECTS));
        client.setAttribute(OIDCConfigAttributes.POST_LOGOUT_REDIRECT_URIS, Constants.INCLUDE_REDIRECTS);
        client.setAttribute(OIDCConfigAttributes.PKCE_CODE_CHALLENGE_METHOD, "S256");
        client.setAttribute(Constants.USE_LIGHTWEIGHT_ACCESS_TOKEN_ENABLED, "true");
        client.setProtocol(OIDCLoginProtocol.LOGIN_PROTOCOL);
        client.setStandardFlowEnabled(true);
        client.setImplicitFlowEnabled(false);
        client.setDirectAccessGrantsEnabled(false);
        client.setServiceAccountsEnabled(false);
        client.setConsentRequired(false);
        client.setFullScopeAllowed(true);
        client.setAlwaysDisplayInConsole(false);
        client.setEnabled(true);
    }
}

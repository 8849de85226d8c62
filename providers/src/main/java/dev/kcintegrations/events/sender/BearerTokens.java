package dev.kcintegrations.events.sender;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.kcintegrations.events.config.BearerAuth;
import org.keycloak.models.AuthenticatedClientSessionModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.protocol.oidc.TokenManager;
import org.keycloak.representations.AccessToken;
import org.keycloak.services.util.DefaultClientSessionContext;

import java.net.URI;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The access tokens a subscription's POSTs carry as {@code Authorization: Bearer} ({@link BearerAuth}), issued by
 * the realm with Keycloak's own {@link TokenManager} and keys, the way its client-credentials grant issues them:
 * <ul>
 *   <li>to the realm's dedicated sender client ({@code bearer-client}, default {@value #DEFAULT_CLIENT}: a
 *       confidential client with a service account), so {@code azp} and {@code sub} say "a delivery", never the
 *       subscribing application;</li>
 *   <li>with exactly the client scopes {@code scope}, each of which the <b>subscribing application's own client</b>
 *       must hold (default or optional): a subscription carries no audience its application could not have asked
 *       the realm for itself, and losing the scope stops the token at the next issue;</li>
 *   <li>refused unless the scopes' mappers made {@code aud} exactly {@code [audience]};</li>
 *   <li>with the realm's configured URL as {@code iss} (Frontend URL or {@code hostname}), never a request's
 *       {@code Host}: a token is issued outside any request and must verify against the realm's JWKS.</li>
 * </ul>
 * Each token names its delivery ({@value #WEBHOOK_CLAIM}: subscription, application, endpoint). Tokens are cached per
 * subscription, endpoint, setting and issuer until {@value #REFRESH_BEFORE_SECONDS} s (or half their
 * life, if shorter) before they expire; the token itself is never logged or stored.
 */
public final class BearerTokens {

    public static final String DEFAULT_CLIENT = "webhook-sender";
    /** The claim that names the delivery: {@code {"subscription","application","endpoint"}}. */
    public static final String WEBHOOK_CLAIM = "webhook";
    static final long REFRESH_BEFORE_SECONDS = 30;
    private static final String BASIC_SCOPE = "basic";

    private final String senderClientId;
    private final Cache<Key, Issued> cache = Caffeine.newBuilder().maximumSize(10_000).build();

    /**
     * One subscription's token: its realm, application (client UUID), subscription id, endpoint and setting. The
     * subscription and the endpoint are claims of the token (a receiver checks the token was minted for a delivery
     * to itself), so a token is never reused for another.
     */
    public record Key(String realmId, String applicationId, String subscription, String endpoint, BearerAuth auth) {
    }

    /** A token and the issuer it was issued under: one of another issuer (the Frontend URL changed) is not reused. */
    private record Issued(String token, URI issuer, long refreshAtSeconds) {
    }

    /** Why no token was issued, in words for the attempt log and the API (never the token or a secret). */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message, null, false, false);
        }
    }

    public BearerTokens(String senderClientId) {
        this.senderClientId = senderClientId;
    }

    /** The cached token for {@code key} and {@code issuer} while it is good for a while yet, else null: needs no session. */
    public String cached(Key key, URI issuer) {
        Issued issued = cache.getIfPresent(key);
        return issued != null && issued.refreshAtSeconds() > now() && issued.issuer().equals(issuer) ? issued.token() : null;
    }

    /** Drops {@code key}'s token: its receiver refused it (401), so the next attempt carries one issued then. */
    public void forget(Key key) {
        cache.invalidate(key);
    }

    /** A token for {@code key}: the cached one, else one issued now (and cached). */
    public String token(KeycloakSession session, RealmModel realm, URI issuer, Key key) {
        String cached = issuer == null ? null : cached(key, issuer);
        return cached != null ? cached : fresh(session, realm, issuer, key);
    }

    /** A token for {@code key} issued now, whatever is cached (a save checks the grant as it is), and cached. */
    public String fresh(KeycloakSession session, RealmModel realm, URI issuer, Key key) {
        AccessToken token = issue(session, realm, issuer, key);
        String encoded = session.tokens().encode(token);
        long life = token.getExp() - token.getIat();
        cache.put(key, new Issued(encoded, issuer, token.getExp() - Math.min(REFRESH_BEFORE_SECONDS, life / 2)));
        return encoded;
    }

    private AccessToken issue(KeycloakSession session, RealmModel realm, URI issuer, Key key) {
        if (issuer == null) {
            throw new Refused("the realm has no configured URL for the token's issuer (set its Frontend URL or the server's hostname)");
        }
        session.getContext().setRealm(realm); // a job's session is bound to none, and Keycloak's user cache needs one
        grantDenial(session, realm, key.applicationId(), key.auth()).ifPresent(denial -> {
            throw new Refused(denial);
        });
        ClientModel application = realm.getClientById(key.applicationId()); // there, enabled, holding the scopes: grantDenial said so
        Map<String, ClientScopeModel> held = held(application);
        Set<ClientScopeModel> scopes = key.auth().scopes().stream().map(held::get).collect(Collectors.toCollection(HashSet::new));
        ClientModel sender = realm.getClientByClientId(senderClientId);
        UserModel account = session.users().getServiceAccount(sender); // there and enabled: grantDenial said so
        realm.getClientScopesStream().filter(scope -> BASIC_SCOPE.equals(scope.getName())).findFirst().ifPresent(scopes::add);

        session.getContext().setClient(sender);
        // As the client-credentials grant does: a transient user session, never stored, for the service account.
        UserSessionModel userSession = session.sessions().createUserSession(UUID.randomUUID().toString(), realm, account,
                account.getUsername(), "0.0.0.0", "client_auth", false, null, null, UserSessionModel.SessionPersistenceState.TRANSIENT);
        AuthenticatedClientSessionModel clientSession = session.sessions().createClientSession(realm, sender, userSession);
        clientSession.setProtocol(OIDCLoginProtocol.LOGIN_PROTOCOL);
        clientSession.setNote(OIDCLoginProtocol.ISSUER, issuer.toString());
        String scopeParam = key.auth().scope();
        clientSession.setNote(OIDCLoginProtocol.SCOPE_PARAM, scopeParam);
        DefaultClientSessionContext context = DefaultClientSessionContext.fromClientSessionAndClientScopes(clientSession, scopes, null, session);
        // Keycloak leaves out a scope the account may not have (its role scope mappings): refused, never narrowed quietly.
        Set<String> granted = context.getClientScopesStream().map(ClientScopeModel::getName).collect(Collectors.toSet());
        key.auth().scopes().stream().filter(name -> !granted.contains(name)).findFirst().ifPresent(name -> {
            throw new Refused("the client scope " + name + " is not granted to the service account of " + senderClientId);
        });
        AccessToken token = new TokenManager().createClientAccessToken(session, realm, sender, account, userSession, context, false);
        token.setSessionId(null); // a transient session, as Keycloak's client-credentials grant leaves it out
        // Which delivery the token is for: a receiver accepts it only for its own subscription and endpoint, so a
        // token another subscriber's receiver captured is no use against it.
        token.setOtherClaims(WEBHOOK_CLAIM, Map.of("subscription", key.subscription(), "application", application.getClientId(),
                "endpoint", key.endpoint()));
        String[] audience = token.getAudience() == null ? new String[0] : token.getAudience();
        if (audience.length != 1 || !Objects.equals(audience[0], key.auth().audience())) {
            throw new Refused("the client scopes " + scopeParam + " give the audience " + describe(audience)
                    + ", not exactly " + key.auth().audience());
        }
        return token;
    }

    /**
     * Why the application may not have {@code auth}'s tokens now (a client scope it no longer holds, the sender
     * client or its service account disabled), through Keycloak's realm and user caches; empty when it may. The
     * lanes ask before each send, so a cached token is never carried past the grant it was issued under.
     */
    public Optional<String> grantDenial(KeycloakSession session, RealmModel realm, String applicationId, BearerAuth auth) {
        ClientModel application = realm.getClientById(applicationId);
        if (application == null || !application.isEnabled()) {
            return Optional.of("the application no longer exists or is disabled");
        }
        Map<String, ClientScopeModel> held = held(application);
        Optional<String> missing = auth.scopes().stream().filter(name -> !held.containsKey(name)).findFirst()
                .map(name -> "the application does not hold the client scope " + name + " of its bearer token");
        return missing.or(() -> senderDenial(session, realm));
    }

    /** Why the realm's sender client cannot have tokens (an administrator disabled it, gave it full scope …), if so. */
    private Optional<String> senderDenial(KeycloakSession session, RealmModel realm) {
        ClientModel sender = realm.getClientByClientId(senderClientId);
        if (sender == null || !sender.isEnabled() || !sender.isServiceAccountsEnabled() || sender.isPublicClient()) {
            return Optional.of("the realm has no enabled confidential client " + senderClientId + " with a service account");
        }
        if (sender.isFullScopeAllowed()) {
            // Its service account's roles (default roles included) would be in every token, through any role mapper.
            return Optional.of("the client " + senderClientId + " must not have full scope allowed");
        }
        session.getContext().setRealm(realm); // a job's session is bound to none, and Keycloak's user cache needs one
        UserModel account = session.users().getServiceAccount(sender);
        if (account == null || !account.isEnabled()) {
            return Optional.of("the service account of " + senderClientId + " is missing or disabled");
        }
        return Optional.empty();
    }

    /** The client scopes a client holds, default and optional, by name. */
    private static Map<String, ClientScopeModel> held(ClientModel client) {
        Map<String, ClientScopeModel> held = new HashMap<>(client.getClientScopes(true));
        held.putAll(client.getClientScopes(false));
        return held;
    }

    private static String describe(String[] audience) {
        return audience.length == 0 ? "none" : Stream.of(audience).sorted().collect(Collectors.joining(", ", "[", "]"));
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }
}

package dev.kcintegrations.urnscope;

import dev.kcintegrations.shared.RealmEnvironment;
import dev.kcintegrations.shared.UrnScopes;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.RealmModel;

import java.util.Optional;

/** The API resources a realm declares: client scopes carrying a {@link ResourceAudienceMapper}. */
public final class DeclaredResources {

    private DeclaredResources() {
    }

    /** @return the audience of the declared URN scope with this exact name */
    static Optional<String> audienceOf(RealmModel realm, String scopeName) {
        return realm.getClientScopesStream()
                .filter(scope -> scopeName.equals(scope.getName()))
                .findFirst()
                .flatMap(DeclaredResources::audienceOf);
    }

    /**
     * The audience a client scope declares, if it is a URN scope: its name is the audience followed by a suffix,
     * or it is a consumer scope of IDCS's account resource ({@link UrnScopes#ACCOUNT_AUDIENCE}).
     */
    public static Optional<String> audienceOf(ClientScopeModel scope) {
        String name = scope.getName();
        return ResourceAudienceMapper.audienceOf(scope)
                .filter(audience -> UrnScopes.ACCOUNT_AUDIENCE.equals(audience)
                        ? UrnScopes.isConsumerScope(name)
                        : name.startsWith(audience));
    }

    static String environmentName(RealmModel realm) {
        return RealmEnvironment.of(realm).environmentName();
    }
}

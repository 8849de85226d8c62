package dev.kcintegrations.urnscope;

import org.keycloak.models.RealmModel;

import java.util.Optional;

/** The API resources a realm declares: client scopes carrying a {@link ResourceAudienceMapper}. */
final class DeclaredResources {

    /** Realm attribute naming the environment every declared audience must carry. */
    static final String ENVIRONMENT_NAME = "environmentName";

    private DeclaredResources() {
    }

    /** @return the audience of the declared URN scope with this exact name */
    static Optional<String> audienceOf(RealmModel realm, String scopeName) {
        return realm.getClientScopesStream()
                .filter(scope -> scopeName.equals(scope.getName()))
                .findFirst()
                .flatMap(ResourceAudienceMapper::audienceOf)
                .filter(audience -> scopeName.startsWith(audience));
    }

    static String environmentName(RealmModel realm) {
        return realm.getAttribute(ENVIRONMENT_NAME);
    }
}

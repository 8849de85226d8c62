package dev.kcintegrations.urnscope;

import dev.kcintegrations.shared.RealmEnvironment;
import org.keycloak.models.RealmModel;

import java.util.Optional;

/** The API resources a realm declares: client scopes carrying a {@link ResourceAudienceMapper}. */
final class DeclaredResources {

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
        return RealmEnvironment.of(realm).environmentName();
    }
}

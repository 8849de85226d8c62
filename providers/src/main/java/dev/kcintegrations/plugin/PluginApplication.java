package dev.kcintegrations.plugin;

import java.util.Arrays;
import java.util.Optional;

/**
 * An application of a plugin, as Field Service registers them and sends them to a plugin in {@code init}: its key,
 * its type, the URL of the resource it calls, and the URN scope its token carries.
 *
 * @param resourceUrl for {@code ofs} applications registered without one, the realm's Field Service URL (fsUrl)
 */
record PluginApplication(String key, Type type, String resourceUrl, String scope) {

    /** Field Service's application types (the {@code type} of an entry of {@code init.applications}). */
    enum Type {
        /** The Field Service REST API of this environment: {@code @ofs-users/plugin} builds its proxy from it. */
        OFS("ofs", true),
        /** Another resource that accepts a token asserting the signed-in user. */
        OAUTH_USER_ASSERTION("oauth_user_assertion", true),
        /**
         * A client's own credentials: Field Service's server holds that secret. In a browser the secret would be
         * the plugin's, readable by anyone who opens it, so the bridge never issues these (registering one is
         * allowed so that a plugin written for one gets a clear refusal, not an unknown key).
         */
        OAUTH_CLIENT_CREDENTIALS("oauth_client_credentials", false);

        private final String id;
        private final boolean issuedInTheBrowser;

        Type(String id, boolean issuedInTheBrowser) {
            this.id = id;
            this.issuedInTheBrowser = issuedInTheBrowser;
        }

        String id() {
            return id;
        }

        boolean issuedInTheBrowser() {
            return issuedInTheBrowser;
        }

        static Optional<Type> of(String id) {
            return Arrays.stream(values()).filter(type -> type.id.equals(id)).findFirst();
        }

        static String[] ids() {
            return Arrays.stream(values()).map(Type::id).toArray(String[]::new);
        }
    }

    /** What a plugin gets of it in {@code init.applications}: type and resource URL, as Field Service sends them. */
    record Announced(String type, String resourceUrl) {
    }

    Announced announced() {
        return new Announced(type.id(), resourceUrl);
    }
}

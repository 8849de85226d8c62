package dev.kcintegrations.callout;

/** What realm-config/integrations-realm.json declares for the callout demo. */
final class DemoRealm {
    static final String REALM = "integrations";
    static final String COUPA_CLIENT = "coupa-callout";
    static final String COUPA_SECRET = "CalloutDemo~Secret>01";
    static final long COUPA_LIFESPAN = 86399;
    static final String CALLOUT_SCOPE = "callout.invoke";

    private DemoRealm() {
    }
}

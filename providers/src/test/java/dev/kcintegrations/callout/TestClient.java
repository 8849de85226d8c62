package dev.kcintegrations.callout;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.AdminApi;

import java.util.UUID;
import java.util.function.Consumer;

/** A client made for one test through the admin API, removed when the test closes it. */
final class TestClient implements AutoCloseable {

    final String clientId;
    final String secret;
    final String uuid;
    private final AdminApi admin;

    private TestClient(AdminApi admin, String clientId, String secret, String uuid) {
        this.admin = admin;
        this.clientId = clientId;
        this.secret = secret;
        this.uuid = uuid;
    }

    /** A confidential service-account client like the demo's, with {@code customise} applied on top. */
    static TestClient create(AdminApi admin, String clientIdPrefix, String secret, Consumer<ObjectNode> customise) {
        String clientId = clientIdPrefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        ObjectNode rep = admin.object()
                .put("clientId", clientId)
                .put("enabled", true)
                .put("publicClient", false)
                .put("serviceAccountsEnabled", true)
                .put("standardFlowEnabled", false)
                .put("clientAuthenticatorType", "client-secret-any-base64")
                .put("secret", secret);
        rep.putArray("defaultClientScopes").add("basic");
        customise.accept(rep);
        String uuid = admin.create("/" + DemoRealm.REALM + "/clients", rep);
        return new TestClient(admin, rep.get("clientId").asText(), secret, uuid);
    }

    static TestClient create(AdminApi admin, String clientIdPrefix, String secret) {
        return create(admin, clientIdPrefix, secret, rep -> { });
    }

    @Override
    public void close() {
        admin.delete("/" + DemoRealm.REALM + "/clients/" + uuid);
    }
}

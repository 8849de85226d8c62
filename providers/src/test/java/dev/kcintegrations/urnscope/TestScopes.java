package dev.kcintegrations.urnscope;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.Keycloak;

import java.util.List;
import java.util.UUID;

/** Client scopes and clients made for one test through the admin API, removed when closed. */
final class TestScopes {

    record Scope(Keycloak keycloak, String id, String name) implements AutoCloseable {
        @Override
        public void close() {
            keycloak.admin().delete("/" + UrnDemo.REALM + "/client-scopes/" + id);
        }
    }

    record Client(Keycloak keycloak, String id, String clientId, String secret) implements AutoCloseable {
        @Override
        public void close() {
            keycloak.admin().delete("/" + UrnDemo.REALM + "/clients/" + id);
        }
    }

    private TestScopes() {
    }

    /** A URN scope {@code audience + suffix} declared with the URN resource audience mapper. */
    static Scope urnScope(Keycloak keycloak, String audience, String suffix) {
        ObjectNode rep = keycloak.admin().object().put("name", audience + suffix).put("protocol", "openid-connect");
        rep.putObject("attributes").put("include.in.token.scope", "true");
        ObjectNode mapper = rep.putArray("protocolMappers").addObject()
                .put("name", "URN resource audience").put("protocol", "openid-connect")
                .put("protocolMapper", "urn-resource-audience-mapper");
        mapper.putObject("config").put("urn.resource.audience", audience);
        String id = keycloak.admin().create("/" + UrnDemo.REALM + "/client-scopes", rep);
        return new Scope(keycloak, id, audience + suffix);
    }

    /** A confidential client-credentials client with these optional scopes. */
    static Client confidentialClient(Keycloak keycloak, List<String> optionalScopes) {
        String clientId = "urn-test-" + UUID.randomUUID().toString().substring(0, 8);
        String secret = "secret-" + UUID.randomUUID();
        ObjectNode rep = keycloak.admin().object().put("clientId", clientId).put("publicClient", false)
                .put("serviceAccountsEnabled", true).put("standardFlowEnabled", false).put("secret", secret);
        rep.putArray("defaultClientScopes").add("basic");
        optionalScopes.forEach(rep.putArray("optionalClientScopes")::add);
        String id = keycloak.admin().create("/" + UrnDemo.REALM + "/clients", rep);
        return new Client(keycloak, id, clientId, secret);
    }
}

package dev.kcintegrations.events.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.kcintegrations.events.capture.OperationalEvents;
import dev.kcintegrations.events.config.WebhookSettings;
import dev.kcintegrations.events.sender.RealmClientCertificates;
import dev.kcintegrations.events.store.ClientCertificateEntity;
import dev.kcintegrations.events.store.ClientCertificates;
import dev.kcintegrations.shared.StrictJson;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.ErrorResponse;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * {@code /admin/realms/{realm}/event-subscriptions/client-certificates}: the certificates the realm's webhook POSTs
 * present to receivers that demand one. Listing needs {@code view-events}; making, importing and deleting one needs
 * {@code manage-realm}, as Keycloak's own realm keys do: it is a credential of the realm. A private key is never
 * answered, logged or put in an admin event.
 */
public final class ClientCertificatesAdminResource {

    public static final String RESOURCE_TYPE = "WEBHOOK_CLIENT_CERTIFICATE";
    static final int DEFAULT_VALIDITY_DAYS = 365;
    /** A PKCS#12 key store of a key and a chain of a few certificates is a few KiB; more is not one. */
    static final int MAX_PKCS12_BYTES = 64 * 1024;

    private final KeycloakSession session;
    private final RealmModel realm;
    private final AdminPermissionEvaluator auth;
    private final AdminEventBuilder adminEvent;
    private final WebhookSettings settings;
    private final OperationalEvents operational;

    ClientCertificatesAdminResource(KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth, AdminEventBuilder adminEvent,
                                    WebhookSettings settings, OperationalEvents operational) {
        this.session = session;
        this.realm = realm;
        this.auth = auth;
        this.adminEvent = adminEvent.resource(RESOURCE_TYPE);
        this.settings = settings;
        this.operational = operational;
    }

    /**
     * Either {@code subject} (made here, self-signed, {@code validityDays} long) or {@code pkcs12} with its
     * {@code password} (issued by the enterprise's CA); {@code activeFrom} when POSTs start presenting it (ISO-8601;
     * absent: at once if the realm presents none, else after {@code client-certificate-overlap}).
     */
    record CertificateRequest(String subject, Integer validityDays, String pkcs12, String password, String activeFrom) {
        @Override
        public String toString() {
            return "CertificateRequest[subject=" + subject + ", validityDays=" + validityDays + ", pkcs12=" + (pkcs12 == null ? "absent" : "given")
                    + ", activeFrom=" + activeFrom + "]"; // never the key store or its password
        }
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<RealmClientCertificates.View> list() {
        auth.realm().requireViewEvents();
        return RealmClientCertificates.views(session, realm, System.currentTimeMillis());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response add(String body) {
        auth.realm().requireManageRealm();
        CertificateRequest request = parse(body);
        long now = System.currentTimeMillis();
        ClientCertificates store = new ClientCertificates(session);
        long activeFrom = request.activeFrom() != null ? instant(request.activeFrom())
                : store.presented(realm.getId(), now).isPresent() ? now + settings.clientCertificateOverlap().toMillis() : now;
        ClientCertificateEntity made;
        try {
            if (request.subject() != null) {
                if (request.pkcs12() != null || request.password() != null) {
                    throw bad("Give either subject (a certificate made here) or pkcs12 and password (one imported), not both");
                }
                made = RealmClientCertificates.generate(realm.getId(), request.subject(),
                        request.validityDays() == null ? DEFAULT_VALIDITY_DAYS : request.validityDays(), activeFrom, now);
            } else if (request.pkcs12() != null) {
                if (request.validityDays() != null) {
                    throw bad("validityDays is for a certificate made here; an imported one keeps its own");
                }
                made = RealmClientCertificates.imported(realm.getId(), pkcs12(request.pkcs12()),
                        request.password() == null ? new char[0] : request.password().toCharArray(), activeFrom, now);
            } else {
                throw bad("Give subject (a certificate made here) or pkcs12 and password (one imported)");
            }
        } catch (RealmClientCertificates.Refused refused) {
            throw bad(refused.getMessage());
        }
        if (made.getNotAfter() <= activeFrom) {
            throw bad("The certificate expires before activeFrom");
        }
        store.add(made);
        RealmClientCertificates.forget(realm.getId());
        RealmClientCertificates.View view = RealmClientCertificates.views(session, realm, now).stream()
                .filter(v -> v.id().equals(made.getId())).findFirst().orElseThrow();
        operational.clientCertificateAdded(session, realm, view.subject(), Instant.ofEpochMilli(made.getActiveFrom()));
        adminEvent.operation(OperationType.CREATE).resourcePath(session.getContext().getUri(), made.getId()).representation(view).success();
        return Response.status(Response.Status.CREATED).entity(view).build();
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id) {
        auth.realm().requireManageRealm();
        if (!new ClientCertificates(session).remove(realm.getId(), id)) {
            throw ErrorResponse.error("No client certificate " + id + " in this realm", Response.Status.NOT_FOUND);
        }
        RealmClientCertificates.forget(realm.getId());
        adminEvent.operation(OperationType.DELETE).resourcePath(session.getContext().getUri()).representation(Map.of("id", id)).success();
        return Response.noContent().build();
    }

    private static CertificateRequest parse(String body) {
        if (body == null || body.isBlank()) {
            throw bad("The body must be a JSON object");
        }
        try {
            return StrictJson.MAPPER.readerFor(CertificateRequest.class)
                    .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(body);
        } catch (UnrecognizedPropertyException unknown) {
            throw bad("Unknown field " + unknown.getPropertyName() + "; the fields are subject, validityDays, pkcs12, password, activeFrom");
        } catch (JsonProcessingException e) {
            throw bad("The body must be a JSON object of strings (validityDays: a number)");
        }
    }

    private static byte[] pkcs12(String base64) {
        if (base64.length() > MAX_PKCS12_BYTES * 4 / 3 + 4) {
            throw bad("pkcs12 is larger than " + MAX_PKCS12_BYTES / 1024 + " KiB");
        }
        try {
            return Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw bad("pkcs12 must be the key store's bytes in Base64");
        }
    }

    private static long instant(String text) {
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw bad("activeFrom must be an ISO-8601 instant, such as 2027-01-31T00:00:00Z");
        }
    }

    private static RuntimeException bad(String message) {
        return ErrorResponse.error(message, Response.Status.BAD_REQUEST);
    }
}

package dev.kcintegrations.events.sender;

import dev.kcintegrations.events.config.BodyFormat;
import dev.kcintegrations.events.config.WebhookTargetPolicy;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.MessageConstraintException;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.client.utils.DateUtils;
import org.apache.http.config.ConnectionConfig;
import org.apache.http.config.MessageConstraints;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.config.SocketConfig;
import org.apache.http.conn.ConnectTimeoutException;
import org.apache.http.conn.ConnectionPoolTimeoutException;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.conn.socket.PlainConnectionSocketFactory;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.conn.DefaultRoutePlanner;
import org.apache.http.impl.conn.DefaultSchemePortResolver;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.security.cert.CertificateException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * POSTs one signed event to one receiver, treating the receiver as a stranger:
 * <ul>
 *   <li>The target is checked against server-side request forgery right before the call and the
 *   connection goes to the address that was checked (the host name is kept for the Host header, SNI and
 *   certificate checks), so a DNS answer that changes in between cannot point us at an internal service.
 *   No proxy is ever used: JVM proxy settings would connect to the proxy instead of the checked address.</li>
 *   <li>One deadline bounds the whole attempt: DNS, connect, TLS, sending and the complete answer. A
 *   receiver trickling a byte a second cannot stretch it; when it passes, the request is aborted.</li>
 *   <li>The answer's status line and each header line are at most {@value #MAX_LINE} bytes, at most
 *   {@value #MAX_HEADERS} headers, and only the first {@value #EXCERPT_BYTES} bytes of the body are read;
 *   the rest is never drained, the connection is dropped instead.</li>
 * </ul>
 * Redirects are not followed. Every failure comes back as a {@link SendResult} with a short reason that
 * holds nothing the receiver chose.
 */
public final class WebhookSender implements Closeable {

    public static final int EXCERPT_BYTES = 1024;
    static final int MAX_LINE = 8 * 1024;
    static final int MAX_HEADERS = 100;
    static final String DEADLINE_EXCEEDED = "attempt deadline exceeded";
    /** The pool's name for connections made without a client certificate. */
    private static final String NO_CERTIFICATE = "no client certificate";

    private final CloseableHttpClient client;
    private final PoolingHttpClientConnectionManager connections;
    private final ScheduledExecutorService deadlines;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration attemptTimeout;

    /**
     * @param connectTimeout TCP connect
     * @param readTimeout    longest silence between two reads of the answer
     * @param attemptTimeout the whole attempt, DNS to last byte read
     */
    public WebhookSender(Duration connectTimeout, Duration readTimeout, Duration attemptTimeout, int maxConnections) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.attemptTimeout = attemptTimeout;
        connections = new PoolingHttpClientConnectionManager(RegistryBuilder.<ConnectionSocketFactory>create()
                .register("http", PlainConnectionSocketFactory.getSocketFactory())
                .register("https", new ClientCertificateSocketFactory())
                .build(), null, null, null, 30, TimeUnit.SECONDS);
        connections.setMaxTotal(maxConnections);
        // Per route as many as in all: each subscription's window bounds what one receiver gets, and a window
        // of 32 to one host must not wait for the pool (a wait looks like a slow receiver).
        connections.setDefaultMaxPerRoute(maxConnections);
        connections.setDefaultConnectionConfig(ConnectionConfig.custom()
                .setMessageConstraints(MessageConstraints.custom().setMaxLineLength(MAX_LINE).setMaxHeaderCount(MAX_HEADERS).build())
                .build());
        connections.setDefaultSocketConfig(SocketConfig.custom().setSoTimeout((int) readTimeout.toMillis()).build());
        client = HttpClients.custom()
                .setConnectionManager(connections)
                .setRoutePlanner(new DefaultRoutePlanner(DefaultSchemePortResolver.INSTANCE)) // never a proxy
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                // A pooled connection is reused only for a POST that presents the same client certificate (or none,
                // NO_CERTIFICATE): the certificate was presented once, in the handshake that made the connection.
                .setUserTokenHandler(context -> HttpClientContext.adapt(context).getUserToken())
                .setUserAgent("kc-integrations-webhooks/1")
                .build();
        deadlines = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("kci-webhook-deadlines").daemon(true).factory());
    }

    public SendResult send(WebhookTargetPolicy policy, String endpoint, BodyFormat format, byte[] body, Map<String, String> headers,
                           ClientIdentity identity) {
        return send(policy, endpoint, format.contentType(), body, headers, identity);
    }

    /**
     * @param contentType the body's Content-Type (a format's, or a CloudEvents batch's)
     * @param identity    the client certificate to present when the receiver asks for one; null: none
     */
    public SendResult send(WebhookTargetPolicy policy, String endpoint, String contentType, byte[] body, Map<String, String> headers,
                           ClientIdentity identity) {
        long started = System.nanoTime();
        long deadline = started + attemptTimeout.toNanos();
        WebhookTargetPolicy.CheckedTarget target;
        try {
            target = checkBefore(policy, endpoint, deadline);
        } catch (WebhookTargetPolicy.RefusedTargetException refused) {
            return SendResult.failed(elapsed(started), "target refused: " + refused.getMessage(), SendResult.Failure.TARGET_REFUSED);
        } catch (TimeoutException late) {
            return SendResult.failed(elapsed(started), DEADLINE_EXCEEDED, SendResult.Failure.TIMEOUT);
        }
        URI uri = target.uri();
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
        HttpHost host = new HttpHost(target.address(), uri.getHost(), port, scheme);
        String pathAndQuery = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        HttpPost post = new HttpPost(pathAndQuery);
        headers.forEach(post::setHeader);
        post.setEntity(new ByteArrayEntity(body, ContentType.parse(contentType)));
        int remaining = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        post.setConfig(RequestConfig.custom()
                .setConnectTimeout(Math.min((int) connectTimeout.toMillis(), remaining))
                .setConnectionRequestTimeout(Math.min((int) connectTimeout.toMillis(), remaining))
                .setSocketTimeout(Math.min((int) readTimeout.toMillis(), remaining))
                .setRedirectsEnabled(false)
                .build());
        AtomicBoolean expired = new AtomicBoolean();
        ScheduledFuture<?> watchdog = deadlines.schedule(() -> {
            expired.set(true);
            post.abort(); // closes the socket under a blocked connect, handshake or read
        }, deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        HttpClientContext context = HttpClientContext.create();
        context.setAttribute(ClientCertificateSocketFactory.IDENTITY, identity);
        context.setUserToken(identity == null ? NO_CERTIFICATE : identity.id());
        try (CloseableHttpResponse response = client.execute(host, post, context)) {
            int status = response.getStatusLine().getStatusCode();
            String excerpt = excerpt(response, post);
            if (expired.get()) {
                return SendResult.failed(elapsed(started), DEADLINE_EXCEEDED, SendResult.Failure.TIMEOUT);
            }
            return SendResult.answered(status, elapsed(started), excerpt, retryAfter(response.getFirstHeader("Retry-After")));
        } catch (IOException | RuntimeException e) {
            return SendResult.failed(elapsed(started), expired.get() ? DEADLINE_EXCEEDED : describe(e, readTimeout, identity, "https".equals(scheme)),
                    expired.get() ? SendResult.Failure.TIMEOUT : failure(e));
        } finally {
            watchdog.cancel(false);
        }
    }

    /** The SSRF check, its DNS look-up included, within the attempt's deadline. */
    private static WebhookTargetPolicy.CheckedTarget checkBefore(WebhookTargetPolicy policy, String endpoint, long deadline)
            throws TimeoutException {
        CompletableFuture<WebhookTargetPolicy.CheckedTarget> check = new CompletableFuture<>();
        Thread.ofVirtual().name("kci-webhook-dns").start(() -> {
            try {
                check.complete(policy.check(endpoint));
            } catch (RuntimeException e) {
                check.completeExceptionally(e);
            }
        });
        try {
            return check.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException refused) {
                throw refused;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TimeoutException();
        }
    }

    /**
     * The first KiB of the body. The rest is not read: closing the stream would drain it, so an answer that
     * goes on is cut by aborting the request, which drops its connection.
     */
    private static String excerpt(CloseableHttpResponse response, HttpPost post) throws IOException {
        if (response.getEntity() == null) {
            return "";
        }
        InputStream in = response.getEntity().getContent();
        byte[] bytes = in.readNBytes(EXCERPT_BYTES);
        if (bytes.length < EXCERPT_BYTES || in.read() == -1) {
            in.close(); // fully read: the connection may be kept
        } else {
            post.abort();
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static Optional<Duration> retryAfter(Header header) {
        if (header == null || header.getValue() == null) {
            return Optional.empty();
        }
        String value = header.getValue().strip();
        if (value.matches("\\d{1,9}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
        }
        Date date = DateUtils.parseDate(value);
        if (date == null) {
            return Optional.empty();
        }
        long millis = date.getTime() - System.currentTimeMillis();
        return Optional.of(Duration.ofMillis(Math.max(0, millis)));
    }

    /** The kind of failure, without anything the receiver controls beyond a short message. */
    static String describe(Exception e, Duration readTimeout, ClientIdentity identity, boolean tls) {
        boolean refusedInTls = false;
        boolean untrusted = false;
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            untrusted |= cause instanceof CertificateException || cause instanceof SSLPeerUnverifiedException;
            if (cause instanceof MessageConstraintException constraint) {
                return constraint.getMessage() != null && constraint.getMessage().contains("header count")
                        ? "answer has too many headers" : "answer header too large";
            }
            // A receiver that stops talking — in the TLS handshake or in its answer — is ended by read-timeout.
            if (cause instanceof SocketTimeoutException && "Read timed out".equals(cause.getMessage())) {
                return "receiver silent for read-timeout (" + readTimeout.toSeconds() + " s)";
            }
            refusedInTls |= cause instanceof SSLException || cause instanceof SocketException && !(cause instanceof ConnectException)
                    && cause.getMessage() != null && (cause.getMessage().contains("reset") || cause.getMessage().contains("Broken pipe"));
        }
        String message = e.getMessage() == null ? "" : ": " + e.getMessage();
        String text = e.getClass().getSimpleName() + message;
        text = text.length() > 200 ? text.substring(0, 200) : text;
        if (tls && untrusted) {
            return "receiver's certificate not trusted (" + text + ")"; // our side ended the handshake, not the receiver
        }
        if (tls && refusedInTls) {
            // A receiver that demands a client certificate ends the handshake with an alert (bad_certificate,
            // certificate_required, unknown_ca), which under TLS 1.3 often reaches us only as a reset connection:
            // say what we presented, so the administrator sees which side to look at.
            return "TLS connection refused or dropped by the receiver (" + text + "); presented "
                    + (identity == null ? "no client certificate" : "client certificate " + identity.subject());
        }
        return text;
    }

    /** What kind of failure an exception is, for the lane's pacing: refused and timed-out connections slow it down. */
    static SendResult.Failure failure(Exception e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectionPoolTimeoutException) {
                return SendResult.Failure.OTHER; // our own pool was full: says nothing about the receiver
            }
            if (cause instanceof ConnectException) {
                return SendResult.Failure.REFUSED;
            }
            if (cause instanceof SocketTimeoutException || cause instanceof ConnectTimeoutException) {
                return SendResult.Failure.TIMEOUT;
            }
        }
        return SendResult.Failure.OTHER;
    }

    private static long elapsed(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    @Override
    public void close() throws IOException {
        deadlines.shutdownNow();
        client.close();
        connections.close();
    }
}

package dev.kcintegrations.events.delivery;

import dev.kcintegrations.events.WebhookTargetPolicy;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.client.utils.DateUtils;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * POSTs one signed event to one receiver. The target is checked against server-side request forgery
 * right before the call and the connection goes to the address that was checked (the host name is kept
 * for the Host header, SNI and certificate checks), so a DNS answer that changes in between cannot point
 * us at an internal service. Redirects are not followed; only the first KiB of an answer is read.
 */
public final class WebhookSender implements AutoCloseable {

    static final int EXCERPT_BYTES = 1024;

    private final CloseableHttpClient client;
    private final PoolingHttpClientConnectionManager connections;

    public WebhookSender(Duration connectTimeout, Duration readTimeout, int maxConnections) {
        connections = new PoolingHttpClientConnectionManager(30, TimeUnit.SECONDS);
        connections.setMaxTotal(maxConnections);
        connections.setDefaultMaxPerRoute(Math.max(2, maxConnections / 4));
        client = HttpClients.custom()
                .setConnectionManager(connections)
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .useSystemProperties()
                .setUserAgent("kc-integrations-webhooks/1")
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectTimeout((int) connectTimeout.toMillis())
                        .setConnectionRequestTimeout((int) connectTimeout.toMillis())
                        .setSocketTimeout((int) readTimeout.toMillis())
                        .setRedirectsEnabled(false)
                        .build())
                .build();
    }

    public SendResult send(WebhookTargetPolicy policy, String endpoint, byte[] body, Map<String, String> headers) {
        long started = System.nanoTime();
        WebhookTargetPolicy.CheckedTarget target;
        try {
            target = policy.check(endpoint);
        } catch (WebhookTargetPolicy.RefusedTargetException refused) {
            return SendResult.failed(elapsed(started), "target refused: " + refused.getMessage());
        }
        URI uri = target.uri();
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        HttpHost host = new HttpHost(target.address(), uri.getHost(), port, uri.getScheme().toLowerCase(java.util.Locale.ROOT));
        String pathAndQuery = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        HttpPost post = new HttpPost(pathAndQuery);
        headers.forEach(post::setHeader);
        post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
        try (CloseableHttpResponse response = client.execute(host, post)) {
            int status = response.getStatusLine().getStatusCode();
            String excerpt = excerpt(response);
            return SendResult.answered(status, elapsed(started), excerpt, retryAfter(response.getFirstHeader("Retry-After")));
        } catch (IOException | RuntimeException e) {
            return SendResult.failed(elapsed(started), describe(e));
        }
    }

    private static String excerpt(CloseableHttpResponse response) throws IOException {
        if (response.getEntity() == null) {
            return "";
        }
        try (InputStream in = response.getEntity().getContent()) {
            byte[] bytes = in.readNBytes(EXCERPT_BYTES);
            return new String(bytes, StandardCharsets.UTF_8);
        }
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

    /** The kind of failure without anything the receiver controls beyond a short message. */
    private static String describe(Exception e) {
        String message = e.getMessage() == null ? "" : ": " + e.getMessage();
        String text = e.getClass().getSimpleName() + message;
        return text.length() > 200 ? text.substring(0, 200) : text;
    }

    private static long elapsed(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    @Override
    public void close() throws IOException {
        client.close();
        connections.close();
    }
}

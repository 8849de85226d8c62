package dev.kcintegrations.plugin;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.kcintegrations.testing.TestCertificates;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A host page on a site of its own ({@code https://localhost:<its port>}, the tests' certificate): it imports
 * host.js from Keycloak's origin and embeds the sample plugin from a third one, as an enterprise application does.
 */
final class CrossOriginHost implements AutoCloseable {

    private final HttpsServer server;

    private CrossOriginHost(HttpsServer server) {
        this.server = server;
    }

    static CrossOriginHost start(URI keycloak, String pluginOrigin) {
        String page = """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>Another site's host page</title><link rel="icon" href="data:,"></head>
                <body><h1>Another site</h1><p>signed in: <b id="user"></b></p><ol id="host-log"></ol>
                <iframe id="plugin" style="width:900px;height:500px"></iframe>
                <script type="module">
                  import { PluginHost } from "KEYCLOAK/realms/integrations/plugin-api/host.js";
                  const log = (text) => document.getElementById("host-log").append(Object.assign(document.createElement("li"), { textContent: text }));
                  try {
                    const plugin = await PluginHost.open({ iframe: document.getElementById("plugin"), pluginClientId: "field-service-plugin",
                      pluginOrigin: "PLUGIN", src: "PLUGIN/realms/integrations/plugin-api/demo/plugin.html", openData: { activity: { aid: "1" } } });
                    document.getElementById("user").textContent = plugin.user;
                    log("opened for " + plugin.user);
                  } catch (error) {
                    log("could not open the plugin: " + error.message);
                  }
                </script></body></html>
                """.replace("KEYCLOAK", keycloak.toString().replaceAll("/$", "")).replace("PLUGIN", pluginOrigin);
        try {
            HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
            server.setHttpsConfigurator(new HttpsConfigurator(TestCertificates.sslContext()));
            // A thread per exchange: a browser's idle preconnected socket must not hold up the page's own request.
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", exchange -> {
                byte[] body = exchange.getRequestURI().getPath().equals("/host.html") ? page.getBytes(StandardCharsets.UTF_8) : new byte[0];
                exchange.getResponseHeaders().add("Content-Type", "text/html;charset=utf-8");
                exchange.sendResponseHeaders(body.length == 0 ? 404 : 200, body.length == 0 ? -1 : body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return new CrossOriginHost(server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String origin() {
        return "https://localhost:" + server.getAddress().getPort();
    }

    URI page() {
        return URI.create(origin() + "/host.html");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

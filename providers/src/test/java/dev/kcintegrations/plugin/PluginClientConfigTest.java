package dev.kcintegrations.plugin;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code plugin.origins}: the origins a plugin may be served from, each reduced to scheme, host and port. */
class PluginClientConfigTest {

    @Test
    void originsAreSeparatedBySpacesOrCommasAndNormalised() {
        assertEquals(List.of("https://plugins.example.com", "https://127.0.0.1:8443", "http://localhost:3000"),
                PluginClientConfig.origins(" https://Plugins.Example.com  https://127.0.0.1:8443,http://localhost:3000 https://plugins.example.com:443/ "));
    }

    @Test
    void anythingThatIsNotAnOriginIsLeftOut() {
        assertEquals(List.of(), PluginClientConfig.origins("https://plugins.example.com/path javascript:alert(1) * null "
                + "https://user@plugins.example.com https://plugins.example.com?x=1 ftp://files.example.com plugins.example.com"));
        assertEquals(List.of(), PluginClientConfig.origins("http://plugins.example.com"), "plain http only on loopback");
        assertEquals(List.of(), PluginClientConfig.origins(null));
        assertEquals(List.of(), PluginClientConfig.origins("  "));
    }
}

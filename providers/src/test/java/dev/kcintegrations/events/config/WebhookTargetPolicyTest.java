package dev.kcintegrations.events.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WebhookTargetPolicyTest {

    /** Resolves every name to the given address, as a rebinding or hostile DNS could. */
    private static WebhookTargetPolicy resolvingTo(String address, String... allowed) {
        return new WebhookTargetPolicy(List.of(allowed), host -> new InetAddress[]{InetAddress.getByName(address)});
    }

    private static WebhookTargetPolicy literal(String... allowed) {
        return new WebhookTargetPolicy(List.of(allowed), InetAddress::getAllByName);
    }

    @Test
    void httpsToAPublicAddressPassesAndNamesTheAddressToConnectTo() {
        var target = resolvingTo("93.184.216.34").check("https://hooks.example.com/ess");
        assertEquals("93.184.216.34", target.address().getHostAddress());
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
            "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "fe80::1", "fc00::1", "fd12:3456::1", "::",
            "::ffff:127.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "ff02::1"})
    void nonPublicAddressesAreRefused(String address) {
        assertThrows(WebhookTargetPolicy.RefusedTargetException.class,
                () -> resolvingTo(address).check("https://hooks.example.com/ess"));
    }

    /**
     * IPv6 transition forms of internal IPv4 addresses: 6to4, Teredo (client bits inverted), local-use NAT64 and
     * IPv4-translated ({@code ::ffff:0:0/96}, SIIT).
     */
    @ParameterizedTest
    @ValueSource(strings = {"2002:7f00:1::1", "2002:a9fe:a9fe::", "2002:c0a8:101::1",
            "2001:0:5db8:7a1b::8000:f5ff:fffe", "2001:0:a00:1::1", "2001:0:5db8:7a1b:0:0:80ff:fffe", "64:ff9b:1::5db8:7a1b",
            "::ffff:0:7f00:1", "::ffff:0:c0a8:101"})
    void ipv6FormsOfInternalAddressesAreRefused(String address) {
        assertThrows(WebhookTargetPolicy.RefusedTargetException.class,
                () -> resolvingTo(address).check("https://hooks.example.com/ess"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2002:5db8:7a1b::1", "2606:4700::1111", "::ffff:0:5db8:7a1b"})
    void ipv6FormsOfPublicAddressesPass(String address) {
        resolvingTo(address).check("https://hooks.example.com/ess");
    }

    @Test
    void realmCanOnlyNarrowTheServersAllowList() {
        assertEquals(List.of("127.0.0.1"), WebhookTargets.allowedHosts(List.of("127.0.0.1", "localhost"), "127.0.0.1, 10.0.0.5"));
        assertEquals(List.of(), WebhookTargets.allowedHosts(List.of(), "127.0.0.1,localhost"), "the server allows none");
        assertEquals(List.of("127.0.0.1", "localhost"), WebhookTargets.allowedHosts(List.of("127.0.0.1", "localhost"), null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://127.0.0.1/x", "https://[::1]/x", "https://[::ffff:10.0.0.1]/x", "https://169.254.169.254/latest",
            "https://[::ffff:0:7f00:1]:8443/", "https://[::ffff:0:a9fe:a9fe]/latest", "https://[::ffff:0:10.0.0.1]/x"})
    void literalNonPublicHostsAreRefused(String endpoint) {
        assertThrows(WebhookTargetPolicy.RefusedTargetException.class, () -> literal().check(endpoint));
    }

    @Test
    void plainHttpIsRefusedUnlessTheHostIsAllowListed() {
        assertThrows(WebhookTargetPolicy.RefusedTargetException.class, () -> resolvingTo("93.184.216.34").check("http://hooks.example.com/"));
        assertEquals("127.0.0.1", literal("127.0.0.1").check("http://127.0.0.1:8443/hook").address().getHostAddress());
    }

    @Test
    void allowListedHostsMayBePrivate() {
        assertEquals("10.0.0.5", resolvingTo("10.0.0.5", "receiver.internal").check("https://receiver.internal/hook")
                .address().getHostAddress());
    }

    @ParameterizedTest
    @ValueSource(strings = {"not a url", "/relative/path", "mailto:a@b.c", "ftp://hooks.example.com/", "https://user:pw@hooks.example.com/"})
    void malformedOrOtherSchemesAreRefused(String endpoint) {
        assertThrows(WebhookTargetPolicy.RefusedTargetException.class, () -> resolvingTo("93.184.216.34").check(endpoint));
    }

    @Test
    void unresolvableHostsAreRefused() {
        WebhookTargetPolicy policy = new WebhookTargetPolicy(List.of(), host -> {
            throw new UnknownHostException(host);
        });
        assertThrows(WebhookTargetPolicy.RefusedTargetException.class, () -> policy.check("https://nowhere.example/"));
    }

    @Test
    void oneNonPublicAddressAmongSeveralIsEnough() {
        WebhookTargetPolicy policy = new WebhookTargetPolicy(List.of(), host -> new InetAddress[]{
                InetAddress.getByName("93.184.216.34"), InetAddress.getByName("10.0.0.1")});
        assertThrows(WebhookTargetPolicy.RefusedTargetException.class, () -> policy.check("https://hooks.example.com/"));
    }
}

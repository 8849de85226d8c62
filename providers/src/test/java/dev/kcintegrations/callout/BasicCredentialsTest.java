package dev.kcintegrations.callout;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BasicCredentialsTest {

    private static String encode(Base64.Encoder encoder, String text) {
        return "Basic " + encoder.encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void urlSafeAlphabetDecodes() throws Exception {
        String header = encode(Base64.getUrlEncoder(), "coupa-callout:CalloutDemo~Secret>01");
        assertTrue(header.contains("-"));
        assertEquals(new BasicCredentials("coupa-callout", "CalloutDemo~Secret>01"), BasicCredentials.parse(header));
    }

    @Test
    void standardAlphabetDecodes() throws Exception {
        String header = encode(Base64.getEncoder(), "coupa-callout:CalloutDemo~Secret>01");
        assertTrue(header.contains("+"));
        assertEquals("CalloutDemo~Secret>01", BasicCredentials.parse(header).secret());
    }

    @Test
    void missingPaddingDecodes() throws Exception {
        String header = encode(Base64.getUrlEncoder().withoutPadding(), "id:secret1");
        assertEquals("secret1", BasicCredentials.parse(header).secret());
    }

    @Test
    void mixedAlphabetsAreRefused() {
        assertThrows(BasicCredentials.MalformedException.class, () -> BasicCredentials.parse("Basic ab+c-d=="));
    }

    @Test
    void charactersOutsideBothAlphabetsAreRefused() {
        assertThrows(BasicCredentials.MalformedException.class, () -> BasicCredentials.parse("Basic ab*cd"));
    }

    @Test
    void misplacedPaddingIsRefused() {
        assertThrows(BasicCredentials.MalformedException.class, () -> BasicCredentials.parse("Basic a=bc"));
    }

    @Test
    void invalidUtf8IsRefused() {
        String header = "Basic " + Base64.getEncoder().encodeToString(new byte[]{'a', ':', (byte) 0xC3});
        assertThrows(BasicCredentials.MalformedException.class, () -> BasicCredentials.parse(header));
    }

    @Test
    void theSplitIsAtTheFirstColon() throws Exception {
        BasicCredentials credentials = BasicCredentials.parse(encode(Base64.getEncoder(), "id:se:cr:et"));
        assertEquals("id", credentials.clientId());
        assertEquals("se:cr:et", credentials.secret());
    }

    @Test
    void noColonIsRefused() {
        assertThrows(BasicCredentials.MalformedException.class, () -> BasicCredentials.parse(encode(Base64.getEncoder(), "idsecret")));
    }

    @Test
    void emptyClientIdIsRefused() {
        assertThrows(BasicCredentials.MalformedException.class, () -> BasicCredentials.parse(encode(Base64.getEncoder(), ":secret")));
    }

    @Test
    void schemeIsCaseInsensitive() throws Exception {
        assertEquals("id", BasicCredentials.parse("bAsIc " + Base64.getEncoder().encodeToString("id:s".getBytes())).clientId());
    }

    @Test
    void otherSchemesAreNotBasic() {
        assertFalse(BasicCredentials.isBasic("Bearer abc"));
        assertFalse(BasicCredentials.isBasic("Basically abc"));
        assertThrows(BasicCredentials.MalformedException.class, () -> BasicCredentials.parse("Bearer abc"));
    }

    @Test
    void secretCandidatesAreAsSentThenFormDecoded() {
        assertEquals(List.of("a+b%3A", "a b:"), new BasicCredentials("id", "a+b%3A").secretCandidates());
    }

    @Test
    void aSecretThatIsNotFormEncodedHasOneCandidate() {
        assertEquals(List.of("100%sure"), new BasicCredentials("id", "100%sure").secretCandidates());
        assertEquals(List.of("plain"), new BasicCredentials("id", "plain").secretCandidates());
    }

    @Test
    void toStringHidesTheSecret() {
        assertFalse(new BasicCredentials("id", "hunter2").toString().contains("hunter2"));
    }
}

package dev.kcintegrations.callout;

import dev.kcintegrations.shared.OAuthError;
import jakarta.ws.rs.core.MultivaluedHashMap;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TokenRequestBodyTest {

    private static TokenRequestBody json(String body) {
        return TokenRequestBody.fromJson("application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    private static int statusOf(Runnable parse) {
        return assertThrows(OAuthError.class, parse::run).status().getStatusCode();
    }

    @Test
    void formAndJsonAreTheTwoFormats() {
        assertEquals(TokenRequestBody.Format.FORM, TokenRequestBody.format("application/x-www-form-urlencoded"));
        assertEquals(TokenRequestBody.Format.FORM, TokenRequestBody.format("application/x-www-form-urlencoded; charset=UTF-8"));
        assertEquals(TokenRequestBody.Format.JSON, TokenRequestBody.format("application/json;charset=utf-8"));
    }

    @Test
    void otherOrMissingMediaTypesAre415() {
        assertEquals(415, statusOf(() -> TokenRequestBody.format("text/plain")));
        assertEquals(415, statusOf(() -> TokenRequestBody.format(null)));
        assertEquals(415, statusOf(() -> TokenRequestBody.format("*/*")));
        assertEquals(415, statusOf(() -> TokenRequestBody.format("application/json; charset=klingon")));
        assertEquals(415, statusOf(() -> TokenRequestBody.format("not a media type")));
    }

    @Test
    void jsonObjectOfStringsIsRead() {
        TokenRequestBody body = json("{\"grant_type\":\"client_credentials\",\"scope\":\"a b\"}");
        assertEquals("client_credentials", body.get("grant_type"));
        assertEquals("a b", body.get("scope"));
    }

    @Test
    void jsonThatIsNotAnObjectIs400() {
        assertEquals(400, statusOf(() -> json("[]")));
        assertEquals(400, statusOf(() -> json("\"client_credentials\"")));
        assertEquals(400, statusOf(() -> json("")));
    }

    @Test
    void jsonWithNonStringValuesIs400() {
        assertEquals(400, statusOf(() -> json("{\"grant_type\":1}")));
        assertEquals(400, statusOf(() -> json("{\"grant_type\":null}")));
        assertEquals(400, statusOf(() -> json("{\"grant_type\":{}}")));
        assertEquals(400, statusOf(() -> json("{\"grant_type\":true}")));
    }

    @Test
    void jsonWithDuplicateKeysIs400() {
        assertEquals(400, statusOf(() -> json("{\"a\":\"1\",\"a\":\"2\"}")));
    }

    @Test
    void jsonWithTrailingContentIs400() {
        assertEquals(400, statusOf(() -> json("{\"a\":\"1\"}{}")));
    }

    @Test
    void jsonInAnotherDeclaredCharsetIsDecodedWithIt() {
        byte[] utf16 = "{\"scope\":\"\u00e9\"}".getBytes(StandardCharsets.UTF_16);
        assertEquals("\u00e9", TokenRequestBody.fromJson("application/json; charset=UTF-16", utf16).get("scope"));
    }

    @Test
    void formParameterGivenTwiceIs400() {
        MultivaluedHashMap<String, String> form = new MultivaluedHashMap<>();
        form.put("grant_type", List.of("client_credentials", "client_credentials"));
        assertEquals(400, statusOf(() -> TokenRequestBody.fromForm(form)));
    }
}

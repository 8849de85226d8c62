package dev.kcintegrations.callout;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The answer a callout client accepts: {@code {"access_token","token_type":"bearer","expires_in"}}, plus
 * {@code scope} only when the request named scopes. Nothing else: no refresh or ID token.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"access_token", "token_type", "expires_in", "scope"})
public record CalloutTokenResponse(
        @JsonProperty("access_token") String accessToken,
        @JsonProperty("token_type") String tokenType,
        @JsonProperty("expires_in") long expiresIn,
        @JsonProperty("scope") String scope) {

    /** Lower case, as the callout documentation shows it (RFC 6749 token types are case-insensitive). */
    public static final String BEARER = "bearer";
}

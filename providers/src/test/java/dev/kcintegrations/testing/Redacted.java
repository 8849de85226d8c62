package dev.kcintegrations.testing;

import java.util.regex.Pattern;

/**
 * What a test prints or fails with, without the tokens and webhook secrets in it: test output is kept in reports
 * and CI logs, where a token would outlive its test. A JWT keeps its first characters, enough to tell two apart.
 */
public final class Redacted {

    private static final Pattern JWT = Pattern.compile("(eyJ[A-Za-z0-9_-]{6})[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
    private static final Pattern WEBHOOK_SECRET = Pattern.compile("whsec_[A-Za-z0-9+/=]+");

    private Redacted() {
    }

    public static String of(String text) {
        if (text == null) {
            return null;
        }
        return WEBHOOK_SECRET.matcher(JWT.matcher(text).replaceAll("$1…(token)")).replaceAll("whsec_…(secret)");
    }
}

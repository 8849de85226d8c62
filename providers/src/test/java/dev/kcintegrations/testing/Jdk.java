package dev.kcintegrations.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Finds a JDK that can run Keycloak 26.7 (21+): JAVA_HOME if it qualifies, else one under /usr/lib/jvm. */
final class Jdk {

    private static final Pattern VERSION = Pattern.compile("^JAVA_VERSION=\"(\\d+)", Pattern.MULTILINE);
    static final int MINIMUM = 21;

    private Jdk() {
    }

    static Path find() {
        Optional<Path> fromEnv = Optional.ofNullable(System.getenv("JAVA_HOME")).map(Path::of).filter(Jdk::qualifies);
        if (fromEnv.isPresent()) {
            return fromEnv.get();
        }
        Path running = Path.of(System.getProperty("java.home"));
        if (qualifies(running)) {
            return running;
        }
        try (Stream<Path> installed = Files.list(Path.of("/usr/lib/jvm"))) {
            return installed.filter(Jdk::qualifies)
                    .max(Comparator.comparingInt(Jdk::major))
                    .orElseThrow(() -> new IllegalStateException("No JDK " + MINIMUM + "+ in JAVA_HOME or /usr/lib/jvm"));
        } catch (IOException e) {
            throw new IllegalStateException("No JDK " + MINIMUM + "+ found", e);
        }
    }

    private static boolean qualifies(Path home) {
        return Files.isExecutable(home.resolve("bin/java")) && major(home) >= MINIMUM;
    }

    private static int major(Path home) {
        try {
            Matcher m = VERSION.matcher(Files.readString(home.resolve("release")));
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}

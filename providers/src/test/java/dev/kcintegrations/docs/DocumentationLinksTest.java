package dev.kcintegrations.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The documentation is split by reader (README → docs/*.md, CONTRIBUTING, SECURITY): every relative link in it
 * names a file that exists and, when it has a {@code #fragment}, a heading that file has, the way GitHub
 * makes anchors of headings. A section moved or renamed without its links fails here.
 */
class DocumentationLinksTest {

    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6} (.+)$");

    @Test
    void everyRelativeLinkInTheDocumentationReachesAFileAndHeading() throws IOException {
        Path root = projectRoot();
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path file : markdownFiles(root)) {
            for (String target : links(Files.readAllLines(file))) {
                if (target.matches("^[a-z]+:.*")) {
                    continue; // https:, mailto:: not ours to check offline
                }
                checked++;
                String path = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                String fragment = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
                Path resolved = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(root.relativize(file) + ": " + target + " (no such file)");
                } else if (fragment != null && !anchors(resolved).contains(fragment)) {
                    broken.add(root.relativize(file) + ": " + target + " (no such heading)");
                }
            }
        }
        assertTrue(checked > 20, "the documentation has its cross-links: " + checked);
        assertEquals(List.of(), broken);
    }

    @Test
    void anAnchorIsMadeAsGitHubMakesIt() {
        assertEquals("callout-tokens-oauth-compattoken", anchor("Callout tokens: `oauth-compat/token`"));
        assertEquals("administrators-adminrealmsrealmevent-subscriptions",
                anchor("Administrators: `/admin/realms/{realm}/event-subscriptions`"));
        assertEquals("tests-what-proves-what", anchor("Tests: what proves what"));
    }

    /** The README's size is the issue's contract: a map, not the manual. */
    @Test
    void theReadmeIsAMapOfTheDocumentationNotTheWholeOfIt() throws IOException {
        List<String> readme = Files.readAllLines(projectRoot().resolve("README.md"));
        assertTrue(readme.size() <= 250, "README.md has " + readme.size() + " lines");
        for (String doc : List.of("docs/integration-developers.md", "docs/administrators.md", "docs/receivers.md",
                "docs/operators.md", "docs/benchmarks.md", "CONTRIBUTING.md", "SECURITY.md")) {
            assertTrue(links(readme).stream().anyMatch(link -> link.startsWith(doc)), "README links to " + doc);
        }
    }

    static String anchor(String heading) {
        return heading.trim().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    private static Set<String> anchors(Path file) throws IOException {
        Set<String> anchors = new HashSet<>();
        if (!file.toString().endsWith(".md")) {
            return anchors;
        }
        boolean code = false;
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("```")) {
                code = !code;
            }
            Matcher heading = HEADING.matcher(line);
            if (!code && heading.matches()) {
                String base = anchor(heading.group(1));
                String unique = base;
                for (int n = 1; anchors.contains(unique); n++) {
                    unique = base + "-" + n;
                }
                anchors.add(unique);
            }
        }
        return anchors;
    }

    private static List<String> links(List<String> lines) {
        List<String> links = new ArrayList<>();
        boolean code = false;
        for (String line : lines) {
            if (line.startsWith("```")) {
                code = !code;
            }
            Matcher link = LINK.matcher(line);
            while (!code && link.find()) {
                links.add(link.group(1));
            }
        }
        return links;
    }

    private static List<Path> markdownFiles(Path root) throws IOException {
        List<Path> files = new ArrayList<>(List.of(root.resolve("README.md"), root.resolve("CONTRIBUTING.md"),
                root.resolve("SECURITY.md"), root.resolve("CHANGELOG.md")));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        return files;
    }

    static Path projectRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve(".ci/run"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("Run from inside the repository");
        }
        return dir;
    }
}

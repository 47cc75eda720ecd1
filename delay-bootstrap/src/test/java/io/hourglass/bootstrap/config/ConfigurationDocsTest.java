package io.hourglass.bootstrap.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/configuration.md and the configuration metadata that spring-boot-configuration-processor generates from the
 * {@code @ConfigurationProperties} classes of every module (what an IDE completes) list the same {@code delay.*}
 * keys: a key added, renamed or removed in the code fails here until the reference says so too.
 */
class ConfigurationDocsTest {

    /** A key in the first cell of a table row: {@code | `delay.core.within` | ...}, also several per cell. */
    private static final Pattern ROW = Pattern.compile("^\\|([^|]*)\\|", Pattern.MULTILINE);
    private static final Pattern KEY = Pattern.compile("`(delay\\.[a-z0-9.-]+)(?:\\.<[^>]+>)?`");

    @Test
    void everyDelayKeyOfTheMetadataIsDocumentedAndEveryDocumentedKeyExists() throws IOException {
        TreeSet<String> metadata = metadataKeys();
        TreeSet<String> documented = documentedKeys(Files.readString(Path.of("..", "docs", "configuration.md")));

        assertThat(metadata).as("metadata found on the classpath").hasSizeGreaterThan(50);
        TreeSet<String> undocumented = new TreeSet<>(metadata);
        undocumented.removeAll(documented);
        TreeSet<String> unknown = new TreeSet<>(documented);
        unknown.removeAll(metadata);
        assertThat(undocumented).as("keys of the code missing from docs/configuration.md").isEmpty();
        assertThat(unknown).as("keys of docs/configuration.md that no module binds").isEmpty();
    }

    @Test
    void aKeyInTheFirstColumnOfATableIsReadAndProseIsNot() {
        assertThat(documentedKeys("""
                | key | default |
                |---|---|
                | `delay.a.b` / `delay.a.c` | `1` |
                | `delay.m.topics.<topic>` | `x` |
                Prose naming `delay.not.a.row` is not a definition.
                """)).containsExactly("delay.a.b", "delay.a.c", "delay.m.topics");
    }

    static TreeSet<String> documentedKeys(String markdown) {
        TreeSet<String> keys = new TreeSet<>();
        Matcher row = ROW.matcher(markdown);
        while (row.find()) {
            Matcher key = KEY.matcher(row.group(1));
            while (key.find()) {
                keys.add(key.group(1));
            }
        }
        return keys;
    }

    private static TreeSet<String> metadataKeys() throws IOException {
        TreeSet<String> keys = new TreeSet<>();
        ObjectMapper json = new ObjectMapper();
        for (URL url : Collections.list(ConfigurationDocsTest.class.getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json"))) {
            try (InputStream in = url.openStream()) {
                for (JsonNode property : json.readTree(in).path("properties")) {
                    String name = property.path("name").asText();
                    if (name.startsWith("delay.")) {
                        keys.add(name);
                    }
                }
            }
        }
        return keys;
    }
}

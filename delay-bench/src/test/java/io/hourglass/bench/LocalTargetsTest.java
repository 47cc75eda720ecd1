package io.hourglass.bench;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalTargetsTest {

    @ParameterizedTest
    @CsvSource({
            "http://127.0.0.1:8080, http://127.0.0.1:8080",
            "http://127.0.0.1:8080/, http://127.0.0.1:8080",
            "http://localhost:9000, http://localhost:9000",
            "http://LOCALHOST:9000, http://LOCALHOST:9000",
            "http://127.1.2.3:8080, http://127.1.2.3:8080",
            "http://[::1]:8080, http://[::1]:8080",
            "http://127.0.0.1, http://127.0.0.1:80"})
    void loopbackBaseUrlsAreAccepted(String given, String normalised) {
        assertThat(LocalTargets.requireLocalBase(given)).hasToString(normalised);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://example.com:8080",
            "http://10.0.0.1:8080",
            "http://192.168.1.10",
            "http://0.0.0.0:8080",
            "http://127.0.0.1.nip.io:8080",
            "http://localhost.example.com:8080",
            "http://127.0.0.1@example.com:8080",
            "http://example.com:8080#@127.0.0.1",
            "http://127.0.0.1:8080/api/v1",
            "ftp://127.0.0.1:8080",
            "127.0.0.1:8080",
            "http://[::2]:8080"})
    void anyOtherBaseUrlIsRefused(String given) {
        assertThatThrownBy(() -> LocalTargets.requireLocalBase(given))
                .isInstanceOf(Cli.UsageException.class)
                .hasMessageContaining("--base");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:9092", "localhost:9092", "127.0.0.1:9092, 127.0.0.2:9093", "[::1]:9092"})
    void loopbackKafkaListsAreAccepted(String given) {
        assertThat(LocalTargets.requireLocalKafka(given)).doesNotContain(" ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"kafka:9092", "127.0.0.1:9092,broker.example.com:9092", "10.1.1.1:9092", "127.0.0.1",
            "127.0.0.1:", "127.0.0.1:99999", ""})
    void aKafkaListWithAnyOtherEntryIsRefused(String given) {
        assertThatThrownBy(() -> LocalTargets.requireLocalKafka(given))
                .isInstanceOf(Cli.UsageException.class)
                .hasMessageContaining("--kafka");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.256", "127.0.0", "127..0.1", "128.0.0.1", "::2", ""})
    void nearMissesAreNotLoopbackNames(String host) {
        assertThat(LocalTargets.isLoopbackName(host)).isFalse();
    }
}

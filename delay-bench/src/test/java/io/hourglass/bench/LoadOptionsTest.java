package io.hourglass.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoadOptionsTest {

    private static LoadOptions parse(String line) {
        return LoadOptions.parse(line.split(" "));
    }

    @Test
    void acceptDefaultsMatchTheDocumentedOnes() {
        LoadOptions o = parse("--scenario accept");
        assertThat(o.count()).isEqualTo(100_000);
        assertThat(o.clients()).isEqualTo(16);
        assertThat(o.httpClients()).isEqualTo(4);
        assertThat(o.mode()).isEqualTo("single");
        assertThat(o.batchSize()).isEqualTo(1);
        assertThat(o.delayMs()).isEqualTo(600_000);
        assertThat(o.kafka()).isNull();
        assertThat(o.base()).hasToString("http://127.0.0.1:8080");
        assertThat(o.appKey()).isEqualTo("demo");
        assertThat(o.appSecret()).isEqualTo("demo-secret");
    }

    @Test
    void burstAndSteadyDefaultsMatchTheDocumentedOnes() {
        LoadOptions burst = parse("--scenario burst");
        assertThat(burst.count()).isEqualTo(50_000);
        assertThat(burst.mode()).isEqualTo("batch");
        assertThat(burst.batchSize()).isEqualTo(500);
        assertThat(burst.timeField()).isEqualTo("deliverAt");
        assertThat(burst.kafka()).isEqualTo("127.0.0.1:9092");

        LoadOptions steady = parse("--scenario steady --rate 2k --duration 30");
        assertThat(steady.count()).isEqualTo(60_000);
        assertThat(steady.rate()).isEqualTo(2_000);
        assertThat(steady.minDelayMs()).isEqualTo(1_000);
        assertThat(steady.maxDelayMs()).isEqualTo(10_000);
    }

    @Test
    void bothOptionSpellingsAndSuffixesAreRead() {
        LoadOptions o = parse("--scenario=accept --count=1m --clients 8 --mode batch --batch-size 1000 --out-dir /tmp/x");
        assertThat(o.count()).isEqualTo(1_000_000);
        assertThat(o.clients()).isEqualTo(8);
        assertThat(o.batchSize()).isEqualTo(1000);
        assertThat(o.outDir()).hasToString("/tmp/x");
    }

    @Test
    void mistakesAreRefusedWithAMessageNamingTheOption() {
        assertThatThrownBy(() -> parse("--count 10")).hasMessageContaining("Missing required option: '--scenario");
        assertThatThrownBy(() -> parse("--scenario soak")).hasMessageContaining("--scenario must be one of");
        assertThatThrownBy(() -> parse("--scenario accept --rate 5")).hasMessageContaining("--rate does not apply");
        assertThatThrownBy(() -> parse("--scenario accept --batch-size 10")).hasMessageContaining("--mode batch");
        assertThatThrownBy(() -> parse("--scenario accept --mode batch --batch-size 1001"))
                .hasMessageContaining("--batch-size must be between 1 and 1000");
        assertThatThrownBy(() -> parse("--scenario accept --count ten"))
                .hasMessageContaining("'--count'").hasMessageContaining("must be a whole number, got 'ten'");
        assertThatThrownBy(() -> parse("--scenario accept --clients")).hasMessageContaining("'--clients'");
        assertThatThrownBy(() -> parse("--scenario accept --nope 1")).hasMessageContaining("Unknown option").hasMessageContaining("'--nope'");
        assertThatThrownBy(() -> parse("--scenario accept --count 1 --count 2"))
                .hasMessageContaining("'--count'").hasMessageContaining("only once");
        assertThatThrownBy(() -> parse("--scenario steady --min-delay-ms 5000 --max-delay-ms 10"))
                .hasMessageContaining("--max-delay-ms");
        assertThatThrownBy(() -> parse("--scenario burst --kafka broker:9092")).hasMessageContaining("--kafka must point");
        assertThatThrownBy(() -> parse("--scenario accept stray")).hasMessageContaining("'stray'");
    }

    @Test
    void theNettyClientIsTheDefaultAndTheJdkOneCanBeChosen() {
        assertThat(parse("--scenario accept").client()).isEqualTo("netty");
        LoadOptions jdk = parse("--scenario accept --client jdk --http-clients 2");
        assertThat(jdk.client()).isEqualTo("jdk");
        assertThat(jdk.httpClients()).isEqualTo(2);
        assertThat(parse("--scenario accept --base https://localhost:8443").client()).isEqualTo("jdk");
        assertThatThrownBy(() -> parse("--scenario accept --client curl")).hasMessageContaining("--client must be one of");
        assertThatThrownBy(() -> parse("--scenario accept --http-clients 2")).hasMessageContaining("--client jdk only");
        assertThatThrownBy(() -> parse("--scenario accept --client netty --base https://127.0.0.1:8443"))
                .hasMessageContaining("plain http only");
        assertThatThrownBy(() -> LoadOptions.parse("--scenario", "accept", "--app-key", "a\r\nX-Evil: 1"))
                .hasMessageContaining("--app-key");
    }

    @Test
    void theCommandLineAnswersHelpAndMistakesWithTheirExitStatus() {
        assertThat(LoadGenerator.run(new String[] {"--scenario", "accept", "--help"})).isEqualTo(LoadGenerator.EXIT_OK);
        assertThat(LoadGenerator.run(new String[] {"--scenario", "accept", "--count", "0"}))
                .isEqualTo(LoadGenerator.EXIT_USAGE);
        assertThat(LoadGenerator.run(new String[] {})).isEqualTo(LoadGenerator.EXIT_USAGE);
    }

    @Test
    void theHelpListsEveryOptionWithADescription() {
        picocli.CommandLine cli = Cli.commandLine(new LoadOptions.LoadCommand());
        String help = cli.getUsageMessage();
        assertThat(cli.getCommandSpec().options()).hasSizeGreaterThan(20).allSatisfy(option -> {
            assertThat(help).contains(option.longestName());
            assertThat(option.description()).isNotEmpty();
        });
        assertThat(help).contains("Scenarios", "Exit status");
    }
}

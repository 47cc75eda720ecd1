package io.hourglass.client.autoconfigure;

import io.hourglass.client.api.DelayClient;
import io.hourglass.client.dubbo.DubboDelayClient;
import io.hourglass.client.http.HttpDelayClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

@Timeout(60)
class DelayClientAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DelayClientAutoConfiguration.class))
            .withPropertyValues("hourglass.client.app-key=demo", "hourglass.client.app-secret=demo-secret");

    @Test
    void httpIsTheDefaultTransport() {
        runner.withPropertyValues("hourglass.client.base-url=http://localhost:8080")
                .run(context -> assertThat(context).hasSingleBean(DelayClient.class)
                        .getBean(DelayClient.class).isInstanceOf(HttpDelayClient.class));
    }

    @Test
    void httpWithoutABaseUrlFailsNamingTheKey() {
        runner.run(context -> assertThat(context).hasFailed().getFailure()
                .rootCause().hasMessageContaining("hourglass.client.base-url"));
    }

    @Test
    void missingCredentialsFailNamingTheKey() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DelayClientAutoConfiguration.class))
                .withPropertyValues("hourglass.client.base-url=http://localhost:8080")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .rootCause().hasMessageContaining("hourglass.client.app-key"));
    }

    @Test
    void dubboTransportBuildsADubboClient() {
        runner.withPropertyValues("hourglass.client.transport=dubbo", "hourglass.client.address=tri://[::1]:50051",
                        "hourglass.client.request-timeout=2s", "hourglass.client.max-retries=1")
                .run(context -> assertThat(context).hasSingleBean(DelayClient.class)
                        .getBean(DelayClient.class).isInstanceOf(DubboDelayClient.class));
    }

    @Test
    void dubboTransportNeedsExactlyOneOfAddressAndRegistry() {
        runner.withPropertyValues("hourglass.client.transport=dubbo")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .rootCause().hasMessageContaining("hourglass.client.address"));
        runner.withPropertyValues("hourglass.client.transport=dubbo", "hourglass.client.address=tri://[::1]:50051",
                        "hourglass.client.registry-address=zookeeper://[::1]:2181")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .rootCause().hasMessageContaining("exactly one"));
    }

    @Test
    void dubboTransportWithoutTheDubboSdkSaysWhatToAdd() {
        runner.withClassLoader(new FilteredClassLoader(DubboDelayClient.class))
                .withPropertyValues("hourglass.client.transport=dubbo", "hourglass.client.address=tri://[::1]:50051")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .rootCause().hasMessageContaining("delay-client-dubbo"));
    }

    @Test
    void unknownTransportFailsNamingTheKey() {
        runner.withPropertyValues("hourglass.client.transport=carrier-pigeon")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .hasStackTraceContaining("hourglass.client.transport"));
    }

    @Test
    void badDurationsAndRetriesFailNamingTheKey() {
        runner.withPropertyValues("hourglass.client.base-url=http://localhost:8080", "hourglass.client.max-retries=-1")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .rootCause().hasMessageContaining("hourglass.client.max-retries"));
        runner.withPropertyValues("hourglass.client.base-url=http://localhost:8080",
                        "hourglass.client.initial-backoff=5s", "hourglass.client.max-backoff=1s")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .rootCause().hasMessageContaining("hourglass.client.max-backoff"));
    }

    @Test
    void theApplicationsOwnClientWinsAndNoPropertiesAreNeeded() {
        DelayClient own = mock(DelayClient.class);
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DelayClientAutoConfiguration.class))
                .withBean(DelayClient.class, () -> own)
                .run(context -> assertThat(context).hasNotFailed().getBean(DelayClient.class).isSameAs(own));
    }
}

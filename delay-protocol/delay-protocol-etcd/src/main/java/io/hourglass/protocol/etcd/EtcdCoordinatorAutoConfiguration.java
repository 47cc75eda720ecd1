package io.hourglass.protocol.etcd;

import io.etcd.jetcd.Client;
import io.hourglass.core.cluster.ClusterCoordinator;
import io.hourglass.core.cluster.ClusterSettings;
import io.hourglass.core.concurrent.LoopErrors;
import io.hourglass.core.spi.Coordinator;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * {@code delay.protocol.type=etcd}: slot ownership over etcd. Backs off when the application declares its own
 * {@link Coordinator}. Needs the server's {@link ClusterSettings} bean; the engine starts and closes the coordinator.
 */
@AutoConfiguration
@ConditionalOnClass(Client.class)
@ConditionalOnProperty(name = "delay.protocol.type", havingValue = "etcd")
@EnableConfigurationProperties(EtcdProperties.class)
public class EtcdCoordinatorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(Coordinator.class)
    public ClusterCoordinator etcdCoordinator(ClusterSettings settings, EtcdProperties properties,
                                    ObjectProvider<MeterRegistry> registry) {
        return new ClusterCoordinator(settings, new EtcdClusterBackend(properties.urls(), properties.username(),
                properties.password(), properties.namespace(), settings),
                LoopErrors.counter(registry.getIfAvailable()));
    }
}

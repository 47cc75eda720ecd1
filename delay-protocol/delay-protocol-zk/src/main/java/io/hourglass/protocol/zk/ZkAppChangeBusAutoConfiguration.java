package io.hourglass.protocol.zk;

import org.apache.curator.framework.CuratorFramework;
import io.hourglass.core.cluster.ClusterCoordinator;
import io.hourglass.core.cluster.ClusterPaths;
import io.hourglass.core.spi.AppChangeBus;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * {@code delay.protocol.type=zookeeper} without Redis: app changes are announced through the ZooKeeper key
 * {@value ClusterPaths#APP_CHANGED} that every server watches ({@link ClusterCoordinator#appChangeBus()}).
 *
 * <p>Ordered after {@code io.hourglass.redis.HourglassRedisAutoConfiguration} (and after the coordinator's own
 * auto-configuration), so that a Redis bus, or any {@link AppChangeBus} the application declares, wins. Backs off
 * as well when the coordinator is not a {@link ClusterCoordinator} (an application's own).
 */
@AutoConfiguration(after = ZkCoordinatorAutoConfiguration.class,
        afterName = "io.hourglass.redis.HourglassRedisAutoConfiguration")
@ConditionalOnClass(CuratorFramework.class)
@ConditionalOnProperty(name = "delay.protocol.type", havingValue = "zookeeper")
public class ZkAppChangeBusAutoConfiguration {

    @Bean
    @ConditionalOnBean(ClusterCoordinator.class)
    @ConditionalOnMissingBean(AppChangeBus.class)
    public AppChangeBus coordinatorAppChangeBus(ClusterCoordinator coordinator) {
        return coordinator.appChangeBus();
    }
}

package io.hourglass.protocol.zk;

import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.util.List;

/**
 * The ZooKeeper coordinator's own settings ({@code delay.protocol.zookeeper.*}, used with
 * {@code delay.protocol.type=zookeeper}); slot count, node id, TTL (the session timeout) and rebalance delay are the
 * server's ({@code delay.protocol.*}, {@code ClusterSettings}).
 *
 * @param endpoints ZooKeeper servers as host:port
 * @param username  digest-auth user (the nodes then get creator-only ACLs); empty for none
 * @param password  that user's password
 * @param namespace Curator namespace: the tree lives under {@code /<namespace>/delay/...}, so that several clusters
 *                  (or test runs) share one ensemble; letters, digits, {@code . _ -} and inner slashes
 */
@ConfigurationProperties("delay.protocol.zookeeper")
@Validated
public record ZkProperties(
        @DefaultValue("127.0.0.1:2181")
        @NotEmpty List<@Pattern(regexp = "[^\\s/,:]+:\\d{1,5}", message = "must be host:port") String> endpoints,
        @DefaultValue("") String username,
        @DefaultValue("") String password,
        @DefaultValue("hourglass")
        @Pattern(regexp = "|[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*",
                message = "must be empty or path segments of letters, digits, '.', '_', '-' without leading or trailing /")
        String namespace) {

    /** The connect string: endpoints joined by commas. */
    public String connectString() {
        return String.join(",", endpoints);
    }
}

package io.hourglass.protocol.etcd;

import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.util.List;

/**
 * The etcd coordinator's own settings ({@code delay.protocol.*} with {@code delay.protocol.type=etcd}); slot count,
 * node id, TTL and rebalance delay are the server's ({@code ClusterSettings}).
 *
 * @param endpoints client URLs of the etcd members
 * @param username  etcd user when authentication is on; empty for none
 * @param password  that user's password
 * @param namespace key prefix of this cluster, e.g. {@code /prod} (keys are {@code /prod/delay/...}), so that several
 *                  clusters (or test runs) share one etcd; empty: keys at {@code /delay/...} as in the original system
 */
@ConfigurationProperties("delay.protocol")
@Validated
public record EtcdProperties(
        @DefaultValue("http://127.0.0.1:2379")
        @NotEmpty List<@Pattern(regexp = "https?://[^\\s/]+(:\\d+)?/?", message = "must be an http(s)://host:port URL")
                String> endpoints,
        @DefaultValue("") String username,
        @DefaultValue("") String password,
        @DefaultValue("")
        @Pattern(regexp = "|/[^\\s]*[^/\\s]", message = "must be empty or start with / and not end with /")
        String namespace) {
}

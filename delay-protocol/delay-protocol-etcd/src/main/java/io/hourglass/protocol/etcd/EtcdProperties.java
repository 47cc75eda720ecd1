package io.hourglass.protocol.etcd;

import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.util.List;

/**
 * The etcd coordinator's own settings ({@code delay.protocol.etcd.*}, used with {@code delay.protocol.type=etcd});
 * slot count, node id, TTL and rebalance delay are the server's ({@code delay.protocol.*}, {@code ClusterSettings}).
 *
 * @param endpoints the etcd members, as client URLs ({@code http://host:2379}, {@code https://...}) or as
 *                  {@code host:port} (the original delay-server's form, taken as {@code http://host:port})
 * @param username  etcd user when authentication is on; empty for none
 * @param password  that user's password
 * @param namespace key prefix of this cluster, e.g. {@code /prod} (keys are {@code /prod/delay/...}), so that several
 *                  clusters (or test runs) share one etcd; empty: keys at {@code /delay/...} as in the original system
 */
@ConfigurationProperties("delay.protocol.etcd")
@Validated
public record EtcdProperties(
        @DefaultValue("http://127.0.0.1:2379")
        @NotEmpty List<@Pattern(regexp = "(https?://)?[^\\s/:,]+(:\\d{1,5})?/?",
                message = "must be an http(s)://host:port URL or host:port") String> endpoints,
        @DefaultValue("") String username,
        @DefaultValue("") String password,
        @DefaultValue("")
        @Pattern(regexp = "|/[^\\s]*[^/\\s]", message = "must be empty or start with / and not end with /")
        String namespace) {

    /** The endpoints as URLs: a bare {@code host:port} becomes {@code http://host:port}. */
    public List<String> urls() {
        return endpoints.stream().map(e -> e.startsWith("http://") || e.startsWith("https://") ? e : "http://" + e)
                .toList();
    }
}

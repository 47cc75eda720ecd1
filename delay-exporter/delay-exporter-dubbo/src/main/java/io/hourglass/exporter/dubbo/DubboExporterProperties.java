package io.hourglass.exporter.dubbo;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the Dubbo Triple exporter ({@code delay.exporter.dubbo.*}): the RPC API
 * {@code hourglass.delay.v1.MessageService}, callable by Dubbo consumers and by any gRPC client.
 *
 * @param enabled         serve the RPC API; on by default, next to the REST API, as the gRPC port of a server is
 *                        expected to be
 * @param port            TCP port of the Triple (HTTP/2, gRPC wire protocol) server; 50051 is the port gRPC
 *                        clients and tools assume by convention (and Triple's own default)
 * @param host            address to bind and to publish in the registry; unset = every interface, published with
 *                        the machine's first non-loopback address. Dubbo cannot listen on the IPv4 loopback alone
 *                        (it widens {@code 127.x} and {@code localhost} to every interface), so those are refused;
 *                        {@code ::1} listens on the loopback only
 * @param registryAddress where Dubbo consumers find the servers: {@code N/A} (the default) = no registry, clients
 *                        name a server or a load balancer directly ({@code tri://host:50051}); or
 *                        {@code zookeeper://host:2181} (several with {@code ?backup=h2:2181,h3:2181}): each server
 *                        registers itself there
 * @param threads         size of the pool that runs the calls; submits wait for the group commit without holding a
 *                        thread, reads, cancels and re-times run on it
 */
@Validated
@ConfigurationProperties(DubboExporterProperties.PREFIX)
public record DubboExporterProperties(
        @DefaultValue("true") boolean enabled,
        @Min(1) @Max(65535) @DefaultValue("50051") int port,
        String host,
        @NotBlank @DefaultValue(NO_REGISTRY) String registryAddress,
        @Min(1) @Max(10_000) @DefaultValue("200") int threads) {

    public static final String PREFIX = "delay.exporter.dubbo";

    /** Dubbo's "no registry" address. */
    public static final String NO_REGISTRY = "N/A";

    public DubboExporterProperties {
        if (host != null && (host.isBlank() || host.equalsIgnoreCase("localhost") || host.startsWith("127."))) {
            throw new IllegalArgumentException(PREFIX + ".host=" + host + " is not supported: Dubbo would listen on"
                    + " every interface for it; use ::1 to listen on the loopback only, or leave it unset");
        }
    }
}

package io.hourglass.exporter.http;

import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Calls routed to a message's owner in a cluster ({@code delay.protocol.peer.*}): a get, cancel or re-time of a
 * message that another server owns is sent to it over its internal endpoint.
 *
 * @param connectTimeout how long opening a connection to the owner may take; an owner that cannot be reached is
 *                       bypassed (this server updates the store itself)
 * @param requestTimeout how long the owner may take to answer a routed call
 */
@Validated
@ConfigurationProperties("delay.protocol.peer")
public record PeerProperties(
        @DefaultValue("1s") @DurationMin(millis = 1) Duration connectTimeout,
        @DefaultValue("5s") @DurationMin(millis = 1) Duration requestTimeout) {
}

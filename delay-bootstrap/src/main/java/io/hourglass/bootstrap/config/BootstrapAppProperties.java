package io.hourglass.bootstrap.config;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.util.List;

/**
 * The app created at start so a new user can send a message at once ({@code delay.bootstrap-app.*}).
 * Its secret is stored hashed; change it here (or disable the app) before exposing the server.
 *
 * @param enabled whether to create / update the app at start
 * @param appKey  the app key ({@code X-App-Key})
 * @param secret  the app secret ({@code X-App-Secret})
 * @param topics  topics the app may use
 */
@Validated
@ConfigurationProperties("delay.bootstrap-app")
public record BootstrapAppProperties(
        @DefaultValue("true") boolean enabled,
        @NotBlank @DefaultValue("demo") String appKey,
        @NotBlank @DefaultValue("demo-secret") String secret,
        @NotEmpty @DefaultValue("demo") List<@NotBlank String> topics) {
}

package io.hourglass.message.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@link SigningSecrets} from {@code delay.message.http.signing-secrets.<appKey>}: the HMAC key is the UTF-8 bytes of
 * the configured text. Immutable; hands out copies.
 */
public final class PropertiesSigningSecrets implements SigningSecrets {

    private final Map<String, byte[]> secrets;

    public PropertiesSigningSecrets(HttpCallbackProperties properties) {
        this(properties.signingSecrets());
    }

    public PropertiesSigningSecrets(Map<String, String> secretsByApp) {
        this.secrets = secretsByApp.entrySet().stream().collect(Collectors.toUnmodifiableMap(Map.Entry::getKey,
                e -> e.getValue().getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public Optional<byte[]> secretFor(String appKey) {
        byte[] secret = secrets.get(appKey);
        return secret == null ? Optional.empty() : Optional.of(secret.clone());
    }
}

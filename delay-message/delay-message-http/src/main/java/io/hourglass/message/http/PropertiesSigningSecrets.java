package io.hourglass.message.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@link SigningSecrets} from {@code delay.message.http.signing-secrets.<appKey>}, overlaid by the secrets set through
 * the admin API ({@link StoredCallbackSettings}): the HMAC key is the UTF-8 bytes of the text. Thread-safe; hands
 * out copies.
 */
public final class PropertiesSigningSecrets implements SigningSecrets {

    private final Map<String, byte[]> secrets;
    private final StoredCallbackSettings stored;

    public PropertiesSigningSecrets(HttpCallbackProperties properties) {
        this(properties, null);
    }

    /** @param stored the admin API's settings (a stored secret wins over the property), or null */
    public PropertiesSigningSecrets(HttpCallbackProperties properties, StoredCallbackSettings stored) {
        this(properties.signingSecrets(), stored);
    }

    public PropertiesSigningSecrets(Map<String, String> secretsByApp) {
        this(secretsByApp, null);
    }

    private PropertiesSigningSecrets(Map<String, String> secretsByApp, StoredCallbackSettings stored) {
        this.secrets = secretsByApp.entrySet().stream().collect(Collectors.toUnmodifiableMap(Map.Entry::getKey,
                e -> e.getValue().getBytes(StandardCharsets.UTF_8)));
        this.stored = stored;
    }

    @Override
    public Optional<byte[]> secretFor(String appKey) {
        if (stored != null) {
            Optional<byte[]> set = stored.secret(appKey);
            if (set.isPresent()) {
                return set;
            }
        }
        byte[] secret = secrets.get(appKey);
        return secret == null ? Optional.empty() : Optional.of(secret.clone());
    }
}

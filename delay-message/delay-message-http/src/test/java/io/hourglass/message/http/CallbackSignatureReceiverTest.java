package io.hourglass.message.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The receiver's check, exactly as docs/callbacks.md shows it, against what the emitter really sends. */
class CallbackSignatureReceiverTest {

    // docs/callbacks.md begin
    static boolean verify(String signature, byte[] body, byte[] secret, long nowSeconds) throws GeneralSecurityException {
        String t = signature.replaceAll("^t=(\\d+),v1=[0-9a-f]{64}$", "$1"), v1 = signature.replaceAll("^t=\\d+,v1=", "");
        if (!t.matches("\\d{1,18}") || Math.abs(nowSeconds - Long.parseLong(t)) > 300) return false; // replay window
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
        byte[] expected = HexFormat.of().formatHex(mac.doFinal(body)).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, v1.getBytes(StandardCharsets.US_ASCII));
    }
    // docs/callbacks.md end

    private static final byte[] SECRET = HttpCallbackEmitterTest.SECRET;

    @Test
    @Timeout(20)
    void signatureOfARealCallbackVerifiesWithTheDocumentedCheck() throws Exception {
        try (TestServer server = new TestServer().on("/hook", TestServer.status(200))) {
            long now = 1_800_000_000_000L;
            CallbackTarget target = new CallbackTarget(server.uri("/hook"), CallbackTarget.Method.POST, Map.of(),
                    java.time.Duration.ofSeconds(5), true);
            try (HttpCallbackEmitter emitter = new HttpCallbackEmitter(topic -> java.util.Optional.of(target),
                    app -> java.util.Optional.of(SECRET), new CallbackTargetGuard(app -> java.util.Set.of("127.0.0.1")),
                    () -> now, java.time.Duration.ofSeconds(2), 4)) {
                emitter.emit(List.of(Messages.firing("{\"order\":17,\"note\":\"grüße\"}")), now).get(0)
                        .get(10, TimeUnit.SECONDS);
            }
            TestServer.Received request = server.received.get(0);
            String signature = request.headers().getFirst("X-Hourglass-Signature");
            long sentAt = Long.parseLong(request.headers().getFirst("X-Hourglass-Timestamp"));

            assertThat(signature).startsWith("t=" + sentAt + ",v1=");
            assertThat(verify(signature, request.body(), SECRET, sentAt + 299)).isTrue();
            assertThat(verify(signature, request.body(), SECRET, sentAt + 301)).as("older than 5 minutes").isFalse();
            assertThat(verify(signature, "{\"order\":18}".getBytes(StandardCharsets.UTF_8), SECRET, sentAt))
                    .as("tampered body").isFalse();
            assertThat(verify(signature, request.body(), "another-secret-0123456789".getBytes(StandardCharsets.UTF_8),
                    sentAt)).as("wrong secret").isFalse();
            assertThat(verify(signature.replace("t=" + sentAt, "t=" + (sentAt + 1)), request.body(), SECRET, sentAt))
                    .as("timestamp moved").isFalse();
            assertThat(verify("garbage", request.body(), SECRET, sentAt)).isFalse();
        }
    }

    @Test
    void theDocsShowExactlyTheCheckThisTestRuns() throws Exception {
        String docs = Files.readString(Path.of("../../docs/callbacks.md"));
        Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(docs);
        assertThat(block.find()).as("a java block in docs/callbacks.md").isTrue();
        String source = Files.readString(Path.of("src/test/java/io/hourglass/message/http/"
                + "CallbackSignatureReceiverTest.java"));
        String here = source.substring(source.indexOf("// docs/callbacks.md begin\n") + 27,
                source.indexOf("    // docs/callbacks.md end")).replaceAll("(?m)^    ", "");

        assertThat(block.group(1)).isEqualTo(here);
        assertThat(here.lines().count()).as("lines of the receiver example").isLessThanOrEqualTo(10);
    }

    @Test
    void signatureIsTheHexHmacOfTimestampDotBody() throws Exception {
        byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
        String hex = HexFormat.of().formatHex(mac.doFinal("1700000000.hello".getBytes(StandardCharsets.US_ASCII)));

        assertThat(CallbackSignature.header(SECRET, 1_700_000_000L, body)).isEqualTo("t=1700000000,v1=" + hex);
    }
}

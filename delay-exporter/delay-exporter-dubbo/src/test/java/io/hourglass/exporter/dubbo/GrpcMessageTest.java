package io.hourglass.exporter.dubbo;

import org.apache.dubbo.rpc.TriRpcStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class GrpcMessageTest {

    @Test
    void printableAsciiIsSentAsItIs() {
        String detail = "Invalid request: delayMs must be between 0 and 31536000000 (see /api/v1?x=1&y=[2]+$, #@; \"q\")";

        assertThat(GrpcMessage.encode(detail)).isEqualTo(detail);
    }

    @Test
    void percentControlCharactersAndNonAsciiAreEscapedAsUtf8Bytes() {
        assertThat(GrpcMessage.encode("100%")).isEqualTo("100%25");
        assertThat(GrpcMessage.encode("a\nb\tc\u007F")).isEqualTo("a%0Ab%09c%7F");
        assertThat(GrpcMessage.encode("topic café ⌛")).isEqualTo("topic caf%C3%A9 %E2%8C%9B");
    }

    @Test
    void nothingToSayIsTheEmptyString() {
        assertThat(GrpcMessage.encode(null)).isEmpty();
        assertThat(GrpcMessage.encode("")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Invalid request: delayMs must be >= 0", "100% sûr", "line\r\nbreak", "~`!@#$^&*()/?=,;"})
    void dubboConsumersDecodeItBackExactly(String message) {
        assertThat(TriRpcStatus.decodeMessage(GrpcMessage.encode(message))).isEqualTo(message);
    }
}

package io.hourglass.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HttpResponseReaderTest {

    private static final String CREATED = "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
            + "Location: /api/v1/messages/abc\r\nContent-Length: 50\r\n\r\n"
            + "{\"id\":\"abc\",\"deliverAt\":1700000000000,\"state\":\"X\"}";
    private static final String CHUNKED = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
            + "5\r\nhello\r\n"
            + "1;name=value\r\n,\r\n"
            + "A\r\n world 123\r\n"
            + "0\r\nX-Trailer: yes\r\n\r\n";

    /** An input stream handing out at most {@code maxRead} bytes per read (1 = byte by byte), or random sizes. */
    private static final class Dribble extends InputStream {
        private final byte[] data;
        private final int maxRead;
        private final SplittableRandom random;
        private int pos;
        int reads;

        Dribble(String text, int maxRead, long seed) {
            this.data = text.getBytes(StandardCharsets.ISO_8859_1);
            this.maxRead = maxRead;
            this.random = seed == 0 ? null : new SplittableRandom(seed);
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= data.length) {
                return -1;
            }
            int cap = random == null ? maxRead : 1 + random.nextInt(maxRead);
            int n = Math.min(Math.min(len, cap), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            reads++;
            return n;
        }
    }

    private static HttpResponseReader reader(InputStream in) {
        HttpResponseReader r = new HttpResponseReader(256);
        r.reset(in);
        return r;
    }

    private static HttpResponseReader readOne(String response) throws IOException {
        HttpResponseReader r = reader(new ByteArrayInputStream(response.getBytes(StandardCharsets.ISO_8859_1)));
        r.read(false);
        return r;
    }

    @Test
    void contentLengthBodyIsReadAndTheConnectionKeptAlive() throws IOException {
        HttpResponseReader r = readOne(CREATED);
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.bodyText()).isEqualTo("{\"id\":\"abc\",\"deliverAt\":1700000000000,\"state\":\"X\"}");
        assertThat(r.bodyLength()).isEqualTo(50);
        assertThat(r.keepAlive()).isTrue();
        assertThat(r.buffered()).isZero();
    }

    @Test
    void chunkedBodyIsDecodedWithExtensionsAndTrailers() throws IOException {
        HttpResponseReader r = readOne(CHUNKED);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("hello, world 123");
        assertThat(r.keepAlive()).isTrue();
        assertThat(r.buffered()).isZero();
    }

    @Test
    void headerNamesAndValuesAreCaseInsensitiveAndTransferEncodingWinsOverContentLength() throws IOException {
        HttpResponseReader r = readOne("HTTP/1.1 200 OK\r\ncontent-length: 999\r\nTRANSFER-ENCODING:  gzip , Chunked \r\n"
                + "CONNECTION: Keep-Alive, Close\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        assertThat(r.bodyText()).isEqualTo("abc");
        assertThat(r.keepAlive()).isFalse();
    }

    @Test
    void responsesSplitAcrossReadsParseTheSameWay() throws IOException {
        String three = CREATED + CHUNKED + "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
        for (long seed = 0; seed < 40; seed++) {
            int maxRead = seed == 0 ? 1 : 1 + (int) seed * 3;
            Dribble in = new Dribble(three, maxRead, seed);
            HttpResponseReader r = reader(in);
            r.read(false);
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.bodyText()).endsWith("\"state\":\"X\"}");
            r.read(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("hello, world 123");
            r.read(false);
            assertThat(r.status()).isEqualTo(204);
            assertThat(r.bodyLength()).isZero();
            assertThat(r.keepAlive()).isFalse();
            if (seed == 0) {
                assertThat(in.reads).isEqualTo(three.length()); // byte by byte, every byte read exactly once
            }
        }
    }

    @Test
    void keepAliveResponsesBackToBackReuseTheBuffersAndKeepLeftoverBytes() throws IOException {
        StringBuilder stream = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            String body = "{\"id\":\"m" + i + "\",\"deliverAt\":" + (1000 + i) + "}";
            stream.append("HTTP/1.1 201 Created\r\nContent-Length: ").append(body.length()).append("\r\n\r\n").append(body);
        }
        Dribble in = new Dribble(stream.toString(), 1 << 16, 0); // all answers arrive in one read
        HttpResponseReader r = new HttpResponseReader(16 * 1024);
        r.reset(in);
        for (int i = 0; i < 50; i++) {
            r.read(false);
            assertThat(r.status()).isEqualTo(201);
            ApiClient.Outcome o = SubmitJson.scanAccepted(r.body(), r.bodyOffset(), r.bodyLength());
            assertThat(o).isEqualTo(new ApiClient.Outcome("m" + i, 1000 + i, null));
            assertThat(r.keepAlive()).isTrue();
        }
        assertThat(r.buffered()).isZero();
        assertThat(in.reads).isEqualTo(1);
        assertThatThrownBy(() -> r.read(false)).isInstanceOf(EOFException.class)
                .hasMessageContaining("before the response");
        assertThat(r.started()).isFalse();
    }

    @Test
    void largeBodiesGrowTheBuffer() throws IOException {
        String big = "x".repeat(300_000);
        HttpResponseReader r = readOne("HTTP/1.1 200 OK\r\nContent-Length: " + big.length() + "\r\n\r\n" + big);
        assertThat(r.bodyText()).isEqualTo(big);

        StringBuilder chunked = new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < 300; i++) {
            chunked.append("3e8\r\n").append(Character.toString('a' + i % 26).repeat(1000)).append("\r\n");
        }
        chunked.append("0\r\n\r\n");
        HttpResponseReader c = reader(new Dribble(chunked.toString(), 1500, 7));
        c.read(false);
        assertThat(c.bodyLength()).isEqualTo(300_000);
        assertThat(c.bodyText()).startsWith("a".repeat(1000) + "b");
    }

    @Test
    void interimResponsesAreSkippedAndBodylessStatusesHaveNoBody() throws IOException {
        HttpResponseReader r = readOne("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n" + CREATED);
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.bodyLength()).isEqualTo(50);

        HttpResponseReader notModified = readOne("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n");
        assertThat(notModified.status()).isEqualTo(304);
        assertThat(notModified.bodyLength()).isZero();
        assertThat(notModified.keepAlive()).isTrue();

        HttpResponseReader head = reader(new ByteArrayInputStream(
                "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        head.read(true);
        assertThat(head.bodyLength()).isZero();
    }

    @Test
    void aBodyWithoutLengthRunsToTheEndOfTheStreamAndEndsTheConnection() throws IOException {
        HttpResponseReader r = readOne("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it\r\nuntil EOF");
        assertThat(r.bodyText()).isEqualTo("all of it\r\nuntil EOF");
        assertThat(r.keepAlive()).isFalse();
    }

    @Test
    void http10KeepsAliveOnlyWhenAsked() throws IOException {
        assertThat(readOne("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keepAlive()).isFalse();
        assertThat(readOne("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n").keepAlive()).isTrue();
        assertThat(readOne("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").keepAlive()).isFalse();
    }

    @Test
    void statusLinesWithoutReasonPhraseAreRead() throws IOException {
        // Tomcat writes "HTTP/1.1 201 " (no reason phrase); the space may be missing too
        HttpResponseReader tomcat = readOne("HTTP/1.1 201 \r\nContent-Length: 2\r\n\r\n{}");
        assertThat(tomcat.status()).isEqualTo(201);
        assertThat(tomcat.bodyText()).isEqualTo("{}");
        assertThat(readOne("HTTP/1.1 503\r\nContent-Length: 0\r\n\r\n").status()).isEqualTo(503);
    }

    @Test
    void bareLineFeedsAreAccepted() throws IOException {
        HttpResponseReader r = readOne("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nok\n0\n\n");
        assertThat(r.bodyText()).isEqualTo("ok");
    }

    @Test
    void truncatedResponsesFailWithEofAndSayTheyHadStarted() {
        HttpResponseReader mid = reader(new ByteArrayInputStream(CREATED.substring(0, CREATED.length() - 5)
                .getBytes(StandardCharsets.US_ASCII)));
        assertThatThrownBy(() -> mid.read(false)).isInstanceOf(EOFException.class).hasMessageContaining("after");
        assertThat(mid.started()).isTrue();

        HttpResponseReader midChunk = reader(new ByteArrayInputStream(CHUNKED.substring(0, 90)
                .getBytes(StandardCharsets.US_ASCII)));
        assertThatThrownBy(() -> midChunk.read(false)).isInstanceOf(EOFException.class);
    }

    @Test
    void malformedResponsesAreProtocolErrors() {
        assertThatThrownBy(() -> readOne("SMTP ready\r\n\r\n"))
                .isInstanceOf(HttpResponseReader.ProtocolException.class).hasMessageContaining("status line");
        assertThatThrownBy(() -> readOne("HTTP/1.1 2x1 Created\r\n\r\n"))
                .isInstanceOf(HttpResponseReader.ProtocolException.class);
        assertThatThrownBy(() -> readOne("HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n"))
                .isInstanceOf(HttpResponseReader.ProtocolException.class).hasMessageContaining("Content-Length");
        assertThatThrownBy(() -> readOne("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"))
                .isInstanceOf(HttpResponseReader.ProtocolException.class);
        assertThatThrownBy(() -> readOne("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"))
                .isInstanceOf(HttpResponseReader.ProtocolException.class).hasMessageContaining("chunk size");
        assertThatThrownBy(() -> readOne("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n"))
                .isInstanceOf(HttpResponseReader.ProtocolException.class).hasMessageContaining("CRLF");
        assertThatThrownBy(() -> readOne("HTTP/1.1 200 OK\r\nNoColonHere\r\n\r\n"))
                .isInstanceOf(HttpResponseReader.ProtocolException.class).hasMessageContaining("header");
        assertThatThrownBy(() -> readOne("HTTP/1.1 200 OK\r\nX-Big: " + "y".repeat(70_000) + "\r\n\r\n"))
                .isInstanceOf(HttpResponseReader.ProtocolException.class).hasMessageContaining("over");
        assertThatThrownBy(() -> readOne("HTTP/1.1 101 Switching Protocols\r\n\r\n"))
                .isInstanceOf(HttpResponseReader.ProtocolException.class);
    }
}

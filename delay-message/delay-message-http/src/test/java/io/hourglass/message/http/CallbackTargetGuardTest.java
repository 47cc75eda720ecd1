package io.hourglass.message.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CallbackTargetGuardTest {

    @ParameterizedTest
    @CsvSource({
            "127.0.0.1, loopback", "127.8.9.10, loopback", "::1, loopback",
            "10.1.2.3, private", "172.16.0.1, private", "172.31.255.255, private", "192.168.1.1, private",
            "169.254.169.254, link-local", "fe80::1, link-local",
            "fc00::1, unique-local", "fd12:3456::1, unique-local",
            "224.0.0.1, multicast", "ff02::1, multicast",
            "0.0.0.0, any-local", "::, any-local",
            "::ffff:10.0.0.1, private",
            "0.1.2.3, this-network", "100.64.0.1, shared", "100.100.100.200, shared", "100.127.255.255, shared",
            "198.18.0.1, benchmarking", "198.19.255.255, benchmarking",
            "240.0.0.1, reserved", "255.255.255.255, reserved"})
    void nonPublicAddressesAreNamed(String literal, String kind) throws Exception {
        assertThat(CallbackTargetGuard.nonPublicKind(InetAddress.getByName(literal))).isEqualTo(kind);
    }

    @ParameterizedTest
    @CsvSource({"8.8.8.8", "172.32.0.1", "172.15.255.255", "192.169.0.1", "11.0.0.1", "2001:4860:4860::8888",
            "100.63.255.255", "100.128.0.1", "198.17.255.255", "198.20.0.1", "1.0.0.1", "223.255.255.254"})
    void publicAddressesPass(String literal) throws Exception {
        assertThat(CallbackTargetGuard.nonPublicKind(InetAddress.getByName(literal))).isNull();
    }

    @Test
    void hostPatternsAreExactOrEveryNameBelowADomain() {
        assertThat(AllowedHosts.matches("hooks.example.com", "HOOKS.example.com")).isTrue();
        assertThat(AllowedHosts.matches("hooks.example.com", "hooks.example.com.")).isTrue();
        assertThat(AllowedHosts.matches("hooks.example.com", "evil-hooks.example.com")).isFalse();
        assertThat(AllowedHosts.matches("*.example.com", "a.example.com")).isTrue();
        assertThat(AllowedHosts.matches("*.example.com", "a.b.example.com")).isTrue();
        assertThat(AllowedHosts.matches("*.example.com", "example.com")).isFalse();
        assertThat(AllowedHosts.matches("*.example.com", "evilexample.com")).isFalse();
        assertThat(AllowedHosts.matches("*.example.com", "example.com.evil.net")).isFalse();
        assertThat(AllowedHosts.matches("::1", "[::1]")).isTrue();
    }

    @Test
    void everyResolvedAddressCountsNotOnlyTheFirst() {
        CallbackTarget target = CallbackTarget.post(URI.create("https://mixed.example.test/hook"), Duration.ofSeconds(1));
        CallbackTargetGuard guard = new CallbackTargetGuard(app -> Set.of("mixed.example.test"), host ->
                new InetAddress[]{InetAddress.getByName("8.8.8.8"), InetAddress.getByName("10.0.0.7")});

        assertThatThrownBy(() -> guard.checkAddresses(target))
                .isInstanceOf(CallbackTargetGuard.TargetNotAllowedException.class).hasMessageContaining("10.0.0.7");
    }

    @Test
    void privateAddressesPassWhenTheTargetAllowsThem() throws Exception {
        CallbackTarget target = new CallbackTarget(URI.create("http://127.0.0.1:8080/hook"), CallbackTarget.Method.POST,
                java.util.Map.of(), Duration.ofSeconds(1), true);

        assertThat(new CallbackTargetGuard(app -> Set.of("127.0.0.1")).checkAddresses(target)).isNotEmpty();
    }

    @Test
    void onlyHttpAndHttpsUrlsMakeATarget() {
        assertThatThrownBy(() -> CallbackTarget.post(URI.create("file:///etc/passwd"), Duration.ofSeconds(1)))
                .hasMessageContaining("http or https");
        assertThatThrownBy(() -> CallbackTarget.post(URI.create("gopher://example.com/"), Duration.ofSeconds(1)))
                .hasMessageContaining("http or https");
    }
}

package io.hourglass.admin.console;

import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;

/** The console's one page ({@code /admin/}); the pages inside it are routed in the browser (the URL's hash). */
@Controller
public class ConsoleController {

    private final byte[] index;

    public ConsoleController() {
        try (var in = new ClassPathResource("hourglass/console/index.html").getInputStream()) {
            index = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("the console's index.html is missing from the delay-admin jar", e);
        }
    }

    /** Relative links of the page ({@code assets/...}, {@code api/v1/...}) need the trailing slash. */
    @GetMapping("/admin")
    public ResponseEntity<Void> withSlash() {
        return ResponseEntity.status(302).location(URI.create("/admin/")).build();
    }

    @GetMapping({"/admin/", "/admin/index.html"})
    public ResponseEntity<byte[]> index() {
        return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).cacheControl(CacheControl.noCache()).body(index);
    }
}

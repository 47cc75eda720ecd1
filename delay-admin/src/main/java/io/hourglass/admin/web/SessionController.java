package io.hourglass.admin.web;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /admin/api/v1/session}: who is logged in (if anyone) and the CSRF token a browser must send with
 * changes ({@code X-XSRF-TOKEN}); reading it also sets the {@code XSRF-TOKEN} cookie. Open to everyone.
 */
@RestController
public class SessionController {

    @GetMapping("/admin/api/v1/session")
    public Map<String, Object> session(Authentication auth, CsrfToken csrf) {
        Map<String, Object> out = new LinkedHashMap<>();
        boolean in = auth != null && auth.isAuthenticated() && !(auth instanceof AnonymousAuthenticationToken);
        out.put("authenticated", in);
        out.put("username", in ? auth.getName() : null);
        out.put("roles", in ? auth.getAuthorities().stream().map(Object::toString)
                .map(r -> r.startsWith("ROLE_") ? r.substring(5) : r).toList() : List.of());
        if (csrf != null) {
            out.put("csrfHeader", csrf.getHeaderName());
            out.put("csrfToken", csrf.getToken());
        }
        return out;
    }
}

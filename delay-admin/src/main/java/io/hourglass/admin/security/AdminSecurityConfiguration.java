package io.hourglass.admin.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hourglass.admin.AdminProperties;
import io.hourglass.core.clock.DelayClock;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.authentication.www.BasicAuthenticationConverter;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.Map;

/**
 * Spring Security in front of {@code /admin/**} only; the app API keeps its {@code X-App-Key}/{@code X-App-Secret}
 * and no app credential opens anything here.
 *
 * <ul>
 *   <li>Browsers (the console): form login at {@code POST /admin/login} (JSON answers), a session cookie, CSRF on
 *       (the token in the {@code XSRF-TOKEN} cookie, sent back as {@code X-XSRF-TOKEN}), logout at
 *       {@code POST /admin/logout}.</li>
 *   <li>Scripts: HTTP Basic on every request, without a session; CSRF does not apply to a request that carries
 *       an {@code Authorization} header (a browser never adds one to a cross-site request by itself, and this
 *       server never sends a Basic challenge that would make a browser remember one).</li>
 *   <li>Roles: VIEWER reads; OPERATOR also acts on apps (not secrets) and messages; ADMIN also creates apps,
 *       rotates secrets and manages admin users.</li>
 *   <li>Failed logins are throttled per username and per client address ({@link LoginThrottle}): 429 with
 *       {@code Retry-After}.</li>
 *   <li>Every refusal is problem+json: 401 {@code unauthenticated}, 403 {@code forbidden} (also a missing or wrong
 *       CSRF token), 429 {@code login-throttled}.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class AdminSecurityConfiguration {

    static final String ADMIN = "ADMIN";
    static final String OPERATOR = "OPERATOR";
    static final String VIEWER = "VIEWER";
    /** Not "Basic": a browser that saw a Basic challenge would remember credentials and send them cross-site. */
    static final String CHALLENGE = "HourglassAdmin realm=\"hourglass-admin\"";
    /**
     * The console runs only its own scripts and talks only to this server: an injected script (say, from a message
     * payload, which the pages only ever insert as text) would have nowhere to load from or send to. Inline styles
     * are allowed for the charts' colours; nothing may frame the console.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
            + "form-action 'self'";

    @Bean
    PasswordEncoder hourglassAdminPasswordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    LoginThrottle hourglassLoginThrottle(AdminProperties properties, DelayClock clock) {
        return new LoginThrottle(properties.login().maxFailures(), properties.login().window(), clock);
    }

    @Bean
    SecurityFilterChain hourglassAdminSecurity(HttpSecurity http, LoginThrottle throttle,
                                               ObjectProvider<ObjectMapper> json) throws Exception {
        ObjectMapper mapper = json.getIfAvailable(ObjectMapper::new);
        ProblemResponses problems = new ProblemResponses(mapper);
        CookieCsrfTokenRepository csrfTokens = CookieCsrfTokenRepository.withHttpOnlyFalse();
        csrfTokens.setCookiePath("/admin");
        http.securityMatcher("/admin/**")
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/admin/login", "/admin/api/v1/session").permitAll()
                        // the console's page and assets: public files, everything they show comes from the API
                        .requestMatchers(HttpMethod.GET, "/admin", "/admin/", "/admin/index.html", "/admin/assets/**")
                        .permitAll()
                        .requestMatchers("/admin/api/v1/users", "/admin/api/v1/users/**").hasRole(ADMIN)
                        .requestMatchers(HttpMethod.POST, "/admin/api/v1/apps").hasRole(ADMIN)
                        .requestMatchers("/admin/api/v1/apps/*/rotate-secret").hasRole(ADMIN)
                        .requestMatchers("/admin/api/v1/apps/*/callbacks/signing-secret").hasRole(ADMIN)
                        .requestMatchers(HttpMethod.GET, "/admin/api/**").hasAnyRole(VIEWER, OPERATOR, ADMIN)
                        .requestMatchers("/admin/api/**").hasAnyRole(OPERATOR, ADMIN)
                        .anyRequest().authenticated())
                .csrf(c -> c.csrfTokenRepository(csrfTokens)
                        .csrfTokenRequestHandler(new CsrfTokenRequestAttributeHandler())
                        .ignoringRequestMatchers(r -> r.getHeader(HttpHeaders.AUTHORIZATION) != null))
                .httpBasic(b -> b.realmName("hourglass-admin")
                        .authenticationEntryPoint((request, response, ex) -> {
                            if (ex instanceof BadCredentialsException || ex instanceof DisabledException) {
                                throttle.failed(basicUsername(request), request.getRemoteAddr());
                            }
                            unauthenticated(problems, request, response, ex);
                        }))
                .formLogin(f -> f.loginPage("/admin/login").loginProcessingUrl("/admin/login")
                        .successHandler((request, response, auth) -> {
                            throttle.succeeded(auth.getName());
                            response.setStatus(200);
                            response.setContentType("application/json");
                            mapper.writeValue(response.getOutputStream(),
                                    Map.of("username", auth.getName(), "roles", auth.getAuthorities().stream()
                                            .map(Object::toString).toList()));
                        })
                        .failureHandler((request, response, ex) -> {
                            throttle.failed(request.getParameter("username"), request.getRemoteAddr());
                            problems.write(request, response, 401, "unauthenticated", "Unauthenticated",
                                    "Wrong username or password");
                        }))
                .logout(l -> l.logoutUrl("/admin/logout")
                        .logoutSuccessHandler((request, response, auth) -> response.setStatus(204)))
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, ex) -> unauthenticated(problems, request, response, ex))
                        .accessDeniedHandler((request, response, ex) -> {
                            if (anonymous()) { // e.g. a change without a CSRF token and without any credentials
                                unauthenticated(problems, request, response, null);
                            } else {
                                problems.write(request, response, 403, "forbidden", "Forbidden",
                                        ex instanceof CsrfException
                                                ? "Missing or invalid CSRF token (send the XSRF-TOKEN cookie's value as X-XSRF-TOKEN)"
                                                : "Your role may not do this");
                            }
                        }))
                .headers(h -> h.contentSecurityPolicy(c -> c.policyDirectives(CONTENT_SECURITY_POLICY)))
                .addFilterBefore(new ThrottleFilter(throttle, problems), UsernamePasswordAuthenticationFilter.class);
        return http.build();
    }

    private static void unauthenticated(ProblemResponses problems, HttpServletRequest request,
                                        HttpServletResponse response, AuthenticationException ex) throws IOException {
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE);
        problems.write(request, response, 401, "unauthenticated", "Unauthenticated",
                "Log in (POST /admin/login) or send HTTP Basic credentials of an admin user");
    }

    private static boolean anonymous() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        return auth == null || auth instanceof AnonymousAuthenticationToken || !auth.isAuthenticated();
    }

    static String basicUsername(HttpServletRequest request) {
        try {
            var token = new BasicAuthenticationConverter().convert(request);
            return token == null ? null : token.getName();
        } catch (AuthenticationException e) {
            return null;
        }
    }

    /** Refuses a login attempt (form or Basic) for a throttled username or client address before it is checked. */
    static final class ThrottleFilter extends OncePerRequestFilter {
        private final LoginThrottle throttle;
        private final ProblemResponses problems;

        ThrottleFilter(LoginThrottle throttle, ProblemResponses problems) {
            this.throttle = throttle;
            this.problems = problems;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String username = null;
            boolean attempt = false;
            if (request.getHeader(HttpHeaders.AUTHORIZATION) != null) {
                username = basicUsername(request);
                attempt = true;
            } else if ("POST".equals(request.getMethod()) && "/admin/login".equals(request.getServletPath()
                    + (request.getPathInfo() == null ? "" : request.getPathInfo()))) {
                username = request.getParameter("username");
                attempt = true;
            }
            if (attempt) {
                long wait = throttle.retryAfterSeconds(username, request.getRemoteAddr());
                if (wait > 0) {
                    response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(wait));
                    problems.write(request, response, 429, "login-throttled", "Too many failed logins",
                            "Too many failed logins for this user or from this address; try again in " + wait + " s");
                    return;
                }
            }
            chain.doFilter(request, response);
        }
    }
}

package io.hourglass.admin;

import io.hourglass.core.model.AdminRole;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;

/**
 * Every admin endpoint × {no credentials, app credentials, wrong password, VIEWER, OPERATOR, ADMIN, a session without
 * its CSRF token}: who gets in and who is refused, and how. Only authorization is judged here: an allowed call may
 * still answer 400/404/409 for its (dummy) input, never 401 or 403.
 */
class AuthorizationMatrixTest extends AdminApiTestSupport {

    enum Caller { NONE, APP_HEADERS, WRONG_PASSWORD, VIEWER, OPERATOR, ADMIN, SESSION_WITHOUT_CSRF }

    /** The least role an endpoint needs. */
    record Endpoint(HttpMethod method, String path, String body, AdminRole least) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint(HttpMethod.GET, "/admin/api/v1/apps", null, AdminRole.VIEWER),
            new Endpoint(HttpMethod.GET, "/admin/api/v1/apps/x", null, AdminRole.VIEWER),
            new Endpoint(HttpMethod.POST, "/admin/api/v1/apps", "{\"appKey\":\"m-1\"}", AdminRole.ADMIN),
            new Endpoint(HttpMethod.PATCH, "/admin/api/v1/apps/x", "{}", AdminRole.OPERATOR),
            new Endpoint(HttpMethod.POST, "/admin/api/v1/apps/x/rotate-secret", "{}", AdminRole.ADMIN),
            new Endpoint(HttpMethod.POST, "/admin/api/v1/apps/x/disable", "{}", AdminRole.OPERATOR),
            new Endpoint(HttpMethod.POST, "/admin/api/v1/apps/x/enable", null, AdminRole.OPERATOR),
            new Endpoint(HttpMethod.PUT, "/admin/api/v1/apps/x/topics/t", null, AdminRole.OPERATOR),
            new Endpoint(HttpMethod.DELETE, "/admin/api/v1/apps/x/topics/t", null, AdminRole.OPERATOR),
            new Endpoint(HttpMethod.GET, "/admin/api/v1/topics", null, AdminRole.VIEWER),
            new Endpoint(HttpMethod.GET, "/admin/api/v1/messages", null, AdminRole.VIEWER),
            new Endpoint(HttpMethod.GET, "/admin/api/v1/messages/x", null, AdminRole.VIEWER),
            new Endpoint(HttpMethod.POST, "/admin/api/v1/messages/x/cancel", null, AdminRole.OPERATOR),
            new Endpoint(HttpMethod.PATCH, "/admin/api/v1/messages/x", "{\"deliverAt\":1}", AdminRole.OPERATOR),
            new Endpoint(HttpMethod.POST, "/admin/api/v1/messages/x/deliver-now", null, AdminRole.OPERATOR),
            new Endpoint(HttpMethod.POST, "/admin/api/v1/messages/bulk-cancel", "{}", AdminRole.OPERATOR),
            new Endpoint(HttpMethod.POST, "/admin/api/v1/messages/x/redrive", null, AdminRole.OPERATOR),
            new Endpoint(HttpMethod.POST, "/admin/api/v1/messages/bulk-redrive", "{}", AdminRole.OPERATOR),
            new Endpoint(HttpMethod.POST, "/admin/api/v1/messages/x/replay", null, AdminRole.OPERATOR),
            new Endpoint(HttpMethod.POST, "/admin/api/v1/messages/x/purge", null, AdminRole.OPERATOR),
            new Endpoint(HttpMethod.POST, "/admin/api/v1/messages/bulk-purge", "{}", AdminRole.OPERATOR),
            new Endpoint(HttpMethod.GET, "/admin/api/v1/apps/x/callbacks", null, AdminRole.VIEWER),
            new Endpoint(HttpMethod.PUT, "/admin/api/v1/apps/x/callbacks/allowed-hosts", "{}", AdminRole.OPERATOR),
            new Endpoint(HttpMethod.POST, "/admin/api/v1/apps/x/callbacks/signing-secret", null, AdminRole.ADMIN),
            new Endpoint(HttpMethod.PUT, "/admin/api/v1/apps/x/topics/t/callback", "{}", AdminRole.OPERATOR),
            new Endpoint(HttpMethod.DELETE, "/admin/api/v1/apps/x/topics/t/callback", null, AdminRole.OPERATOR),
            new Endpoint(HttpMethod.POST, "/admin/api/v1/messages/bulk-replay", "{}", AdminRole.OPERATOR),
            new Endpoint(HttpMethod.GET, "/admin/api/v1/jobs", null, AdminRole.VIEWER),
            new Endpoint(HttpMethod.GET, "/admin/api/v1/jobs/x", null, AdminRole.VIEWER),
            new Endpoint(HttpMethod.GET, "/admin/api/v1/audit", null, AdminRole.VIEWER),
            new Endpoint(HttpMethod.GET, "/admin/api/v1/overview", null, AdminRole.VIEWER),
            new Endpoint(HttpMethod.GET, "/admin/api/v1/stats", null, AdminRole.VIEWER),
            new Endpoint(HttpMethod.GET, "/admin/api/v1/cluster", null, AdminRole.VIEWER),
            new Endpoint(HttpMethod.GET, "/admin/api/v1/live", null, AdminRole.VIEWER),
            new Endpoint(HttpMethod.GET, "/admin/api/v1/dead-letters", null, AdminRole.VIEWER),
            new Endpoint(HttpMethod.GET, "/admin/api/v1/users", null, AdminRole.ADMIN),
            new Endpoint(HttpMethod.POST, "/admin/api/v1/users", "{}", AdminRole.ADMIN),
            new Endpoint(HttpMethod.PATCH, "/admin/api/v1/users/nobody", "{}", AdminRole.ADMIN),
            new Endpoint(HttpMethod.DELETE, "/admin/api/v1/users/nobody", null, AdminRole.ADMIN));

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (Endpoint e : ENDPOINTS) {
            for (Caller c : Caller.values()) {
                cases.add(Arguments.of(e, c));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("matrix")
    void everyEndpointAnswersEveryCallerAsSpecified(Endpoint endpoint, Caller caller) throws Exception {
        MockHttpServletRequestBuilder req = request(endpoint.method(), endpoint.path());
        if (endpoint.body() != null) {
            req.contentType(MediaType.APPLICATION_JSON).content(endpoint.body());
        }
        switch (caller) {
            case NONE -> { }
            case APP_HEADERS -> req.header("X-App-Key", "demo").header("X-App-Secret", "demo-secret");
            case WRONG_PASSWORD -> req.with(httpBasic("admin", "not-the-password"));
            case VIEWER -> req.with(as(AdminRole.VIEWER));
            case OPERATOR -> req.with(as(AdminRole.OPERATOR));
            case ADMIN -> req.with(as(AdminRole.ADMIN));
            case SESSION_WITHOUT_CSRF -> req.with(session(AdminRole.ADMIN));
        }
        int status = mvc.perform(req).andReturn().getResponse().getStatus();

        int expected = expected(endpoint, caller);
        if (expected == 0) {
            assertThat(status).as("allowed: any answer but 401/403").isNotIn(401, 403).isLessThan(500);
        } else {
            assertThat(status).isEqualTo(expected);
        }
    }

    /** 0 = allowed. */
    private static int expected(Endpoint endpoint, Caller caller) {
        return switch (caller) {
            case NONE, APP_HEADERS, WRONG_PASSWORD -> 401;
            case SESSION_WITHOUT_CSRF -> endpoint.method() == HttpMethod.GET ? 0 : 403;
            case VIEWER -> allows(AdminRole.VIEWER, endpoint.least()) ? 0 : 403;
            case OPERATOR -> allows(AdminRole.OPERATOR, endpoint.least()) ? 0 : 403;
            case ADMIN -> 0;
        };
    }

    private static boolean allows(AdminRole role, AdminRole least) {
        return role.ordinal() <= least.ordinal(); // ADMIN < OPERATOR < VIEWER in declaration order
    }

    /** A logged-in browser session (no Authorization header), which must send the CSRF token with changes. */
    private static RequestPostProcessor session(AdminRole role) {
        return user(role.name().toLowerCase()).roles(role.name());
    }
}

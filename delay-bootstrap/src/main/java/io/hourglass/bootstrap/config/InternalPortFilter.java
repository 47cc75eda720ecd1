package io.hourglass.bootstrap.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hourglass.client.api.Problem;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;

import java.io.IOException;

/**
 * Keeps the two HTTP ports apart (docs/security.md): the internal routing endpoint {@code /internal/**}
 * answers on {@code delay.protocol.internal-port} only, and that port answers nothing but {@code /internal/**} and
 * health ({@code /livez}, {@code /readyz}, {@code /actuator/health/**}). Anything else answers exactly what an
 * unknown path answers on the API port (404 {@code not-found} problem+json), so neither port tells that the other
 * exists. Without an internal port, {@code /internal/**} answers 404 everywhere.
 *
 * <p>The port is the one the connection arrived on ({@link HttpServletRequest#getLocalPort()}), never a header. The
 * path is read twice, as the container maps it (decoded, normalised: servlet path and path info) and as Spring MVC
 * matches it (the decoded request URI without {@code ;params}); a request passes only when both readings allow it,
 * so {@code ..}, {@code ;params}, {@code //} and percent-encoding cannot slip it past the check.
 */
final class InternalPortFilter extends OncePerRequestFilter {

    static final String INTERNAL_PREFIX = "/internal";
    static final String NOT_FOUND_TYPE = Problem.TYPE_PREFIX + "not-found";

    /** Decoded request URI within the application, {@code ;params} removed, as Spring MVC matches it. */
    private static final UrlPathHelper MVC_PATHS = new UrlPathHelper();

    static {
        MVC_PATHS.setUrlDecode(true);
        MVC_PATHS.setRemoveSemicolonContent(true);
    }

    private final Integer internalPort;
    private final ObjectMapper json;

    /** @param internalPort the internal connector's port; {@code null} when there is none */
    InternalPortFilter(Integer internalPort, ObjectMapper json) {
        this.internalPort = internalPort;
        this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        // the container's normalised path and the one Spring MVC matches on: a request passes only when both agree
        String containerPath = containerPath(request);
        String mvcPath = MVC_PATHS.getPathWithinApplication(request);
        boolean onInternalPort = internalPort != null && request.getLocalPort() == internalPort;
        boolean allowed = onInternalPort
                ? internalOrHealth(containerPath) && internalOrHealth(mvcPath)
                : !isInternal(containerPath) && !isInternal(mvcPath);
        if (allowed) {
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(HttpServletResponse.SC_NOT_FOUND);
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), new Problem(NOT_FOUND_TYPE, "Not found", 404,
                "There is no endpoint at this path", request.getRequestURI(), null));
    }

    private static boolean isInternal(String path) {
        return path.equals(INTERNAL_PREFIX) || path.startsWith(INTERNAL_PREFIX + "/");
    }

    private static boolean internalOrHealth(String path) {
        return isInternal(path) || isHealth(path);
    }

    private static String containerPath(HttpServletRequest request) {
        String servletPath = request.getServletPath();
        String pathInfo = request.getPathInfo();
        String path = (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
        return path.isEmpty() ? "/" : path;
    }

    private static boolean isHealth(String path) {
        return path.equals("/livez") || path.equals("/readyz")
                || path.equals("/actuator/health") || path.startsWith("/actuator/health/");
    }
}

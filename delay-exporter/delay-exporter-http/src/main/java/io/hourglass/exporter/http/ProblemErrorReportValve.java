package io.hourglass.exporter.http;

import io.hourglass.client.api.Problem;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * Tomcat's answer to a request it refuses before any servlet runs (a malformed request line, an invalid
 * Content-Length, an encoded NUL or slash in the path, headers too large) as an RFC 9457 problem instead of Tomcat's
 * HTML page: same {@code type} URIs as the API, no server name or version, no stack text. The original
 * endpoints get their envelope, as from {@link ProblemHandler}.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    public ProblemErrorReportValve() {
        setShowReport(false);
        setShowServerInfo(false);
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        ProblemType type = ProblemType.forStatus(status);
        // the raw path: a request refused while its head was parsed has no decoded one yet
        String instance = request.getDecodedRequestURI() != null ? request.getDecodedRequestURI() : rawPath(request);
        String body;
        String contextPath = request.getContextPath() == null ? "" : request.getContextPath();
        if (SeedController.isSeedPath(instance, contextPath)) {
            body = "{\"errorCode\":\"" + ProblemType.seedErrorCode(status) + "\",\"errorMsg\":\"" + type.title()
                    + "\",\"content\":null}";
            response.setContentType("application/json");
        } else {
            body = "{\"type\":\"" + Problem.TYPE_PREFIX + type.code() + "\",\"title\":\"" + type.title()
                    + "\",\"status\":" + status + ",\"detail\":\"" + detailOf(status) + "\""
                    + (instance == null || !safe(instance) ? "" : ",\"instance\":\"" + instance + "\"") + "}";
            response.setContentType("application/problem+json");
        }
        try {
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(body);
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the connection is gone: nothing more to say
        }
    }

    private static String rawPath(Request request) {
        try {
            String uri = request.getCoyoteRequest().requestURI().toString();
            return uri == null || uri.isEmpty() ? null : uri;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String detailOf(int status) {
        return switch (status) {
            case 400 -> "The request is malformed (request line, headers, framing or path encoding)";
            case 408 -> "The request was not received in time";
            case 413 -> "The request is too large";
            case 414 -> "The request URI is too long";
            case 431 -> "The request headers are too large";
            default -> "The server refused the request before it reached the API";
        };
    }

    /** Whether a path may be echoed as JSON without escaping (the decoded path of a refused request may hold anything). */
    private static boolean safe(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || c > 0x7E) {
                return false;
            }
        }
        return true;
    }
}

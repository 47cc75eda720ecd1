package io.hourglass.admin.web;

import io.hourglass.admin.AdminException;
import io.hourglass.client.api.Problem;
import io.hourglass.client.api.ProblemCode;
import io.hourglass.core.error.DelayException;
import io.hourglass.core.error.QuotaExceededException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.Locale;
import java.util.Map;

/**
 * Errors of the admin API as RFC 9457 problem+json, with the same {@code type} URIs as the app API
 * ({@code https://hourglass.dev/problems/{code}}). Scoped to the admin controllers and ordered first, so the app
 * API's own handler never sees them.
 */
@RestControllerAdvice(basePackageClasses = AdminProblemHandler.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
public class AdminProblemHandler {

    private static final Logger log = LoggerFactory.getLogger(AdminProblemHandler.class);

    @ExceptionHandler(AdminException.class)
    ResponseEntity<ProblemDetail> admin(AdminException e, HttpServletRequest request) {
        ProblemDetail p = problem(e.status(), e.code(), e.getMessage(), request);
        if (e.field() != null) {
            p.setProperty("errors", java.util.List.of(Map.of("field", e.field(), "reason", e.getMessage())));
        }
        return answer(p, null);
    }

    @ExceptionHandler(DelayException.class)
    ResponseEntity<ProblemDetail> core(DelayException e, HttpServletRequest request) {
        int status = ProblemCode.of(e.code()).httpStatus(); // the app API's table; an unknown code is a 500
        String retryAfter = e instanceof QuotaExceededException q ? Long.toString(q.retryAfterSeconds())
                : status == 503 ? "1" : null;
        return answer(problem(status, e.code(), e.publicDetail(), request), retryAfter);
    }

    @ExceptionHandler({HttpMessageNotReadableException.class, MissingServletRequestParameterException.class,
            MethodArgumentTypeMismatchException.class, IllegalArgumentException.class})
    ResponseEntity<ProblemDetail> badRequest(Exception e, HttpServletRequest request) {
        String detail = e instanceof HttpMessageNotReadableException ? "Malformed JSON or a field of the wrong type"
                : e instanceof MethodArgumentTypeMismatchException m ? "Parameter '" + m.getName() + "' has the wrong type"
                : e.getMessage();
        return answer(problem(400, "bad-request", detail, request), null);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e, HttpServletRequest request) {
        log.error("Admin request {} {} failed", request.getMethod(), request.getRequestURI(), e);
        return answer(problem(500, "internal-error", "Internal error", request), null);
    }

    private static ProblemDetail problem(int status, String code, String detail, HttpServletRequest request) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatusCode.valueOf(status), detail);
        p.setType(URI.create(Problem.TYPE_PREFIX + code));
        HttpStatus known = HttpStatus.resolve(status);
        p.setTitle(known == null ? code : known.getReasonPhrase());
        p.setInstance(URI.create(request.getRequestURI()));
        p.setProperty("code", code.toLowerCase(Locale.ROOT));
        return p;
    }

    private static ResponseEntity<ProblemDetail> answer(ProblemDetail p, String retryAfter) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (retryAfter != null) {
            headers.set(HttpHeaders.RETRY_AFTER, retryAfter);
        }
        return new ResponseEntity<>(p, headers, HttpStatusCode.valueOf(p.getStatus()));
    }
}

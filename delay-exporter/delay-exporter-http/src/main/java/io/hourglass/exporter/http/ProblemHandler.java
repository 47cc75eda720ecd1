package io.hourglass.exporter.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.hourglass.client.api.Problem;
import io.hourglass.core.error.DelayException;
import io.hourglass.core.error.QuotaExceededException;
import io.hourglass.core.error.ValidationException;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.BindException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.context.request.async.AsyncRequestTimeoutException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import org.springframework.web.util.WebUtils;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one place that turns errors into HTTP answers: a {@link DelayException} of the core, or anything Spring MVC
 * or the servlet container reports, becomes an RFC 9457 {@code application/problem+json} {@link Problem} with a
 * stable {@code type} ({@link ProblemType}), the request path as {@code instance} and the invalid fields in
 * {@code errors}. Requests to the original delay-server endpoints get the same error in their envelope
 * ({@link SeedEnvelope}) instead.
 *
 * <p>Also used by the batch endpoint (inline problems of refused entries) and by {@link ProblemErrorController}
 * (errors that escaped MVC), so that statuses and types are decided here only.
 */
@RestControllerAdvice
@Hidden
public class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    /** Our scheme for {@code WWW-Authenticate}: the credentials are two headers. */
    static final String AUTHENTICATE_CHALLENGE = "HourglassApp realm=\"hourglass\", key=\"X-App-Key\", secret=\"X-App-Secret\"";

    /** Retry-After of an overloaded answer, in seconds. */
    static final String RETRY_AFTER_SECONDS = "1";

    @ExceptionHandler(DelayException.class)
    public ResponseEntity<Object> handleDelayException(DelayException ex, WebRequest request) {
        return handleExceptionInternal(ex, null, new HttpHeaders(), ProblemType.of(ex).status(), request);
    }

    @ExceptionHandler(Exception.class)
    public ResponseEntity<Object> handleUnexpected(Exception ex, WebRequest request) {
        return handleExceptionInternal(ex, null, new HttpHeaders(), HttpStatus.INTERNAL_SERVER_ERROR, request);
    }

    /** Every handler of the base class (Spring MVC's own exceptions) and ours end here. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                             HttpStatusCode statusCode, WebRequest request) {
        HttpServletRequest servlet = ((NativeWebRequest) request).getNativeRequest(HttpServletRequest.class);
        String instance = servlet == null ? null : servlet.getRequestURI();
        Failure failure = describe(ex);
        logFailure(failure, ex, instance);
        HttpHeaders out = new HttpHeaders();
        out.addAll(headers);
        if (unwrap(ex) instanceof QuotaExceededException quota) {
            out.set(HttpHeaders.RETRY_AFTER, Long.toString(quota.retryAfterSeconds()));
        }
        Object rendered = render(failure, instance, servlet == null ? "" : servlet.getContextPath(), out);
        if (failure.type() == ProblemType.INTERNAL_ERROR) {
            // as Spring does for bodiless 500s: lets the request metrics name the exception
            request.setAttribute(WebUtils.ERROR_EXCEPTION_ATTRIBUTE, ex, RequestAttributes.SCOPE_REQUEST);
        }
        return super.handleExceptionInternal(ex, rendered, out, HttpStatusCode.valueOf(failure.status()), request);
    }

    /**
     * The inline problem of a refused batch entry.
     */
    public Problem problemOf(Throwable ex) {
        Failure failure = describe(ex);
        if (failure.type() == ProblemType.INTERNAL_ERROR) {
            logFailure(failure, ex, null);
        }
        return failure.toProblem(null);
    }

    /**
     * The answer to an error that escaped MVC (servlet container, filters), dispatched to the error path.
     *
     * @param ex       the exception, if any
     * @param status   the status the container chose
     * @param instance the path of the failed request
     */
    ResponseEntity<Object> errorResponse(Throwable ex, int status, String instance, String contextPath) {
        Throwable cause = ex instanceof ServletException && ex.getCause() != null ? ex.getCause() : ex;
        Failure failure;
        if (cause != null) {
            failure = describe(cause);
        } else {
            ProblemType type = ProblemType.forStatus(status);
            failure = new Failure(type, status >= 400 ? status : type.status().value(), type.title(), List.of());
        }
        logFailure(failure, cause, instance);
        HttpHeaders headers = new HttpHeaders();
        Object body = render(failure, instance, contextPath, headers);
        return new ResponseEntity<>(body, headers, HttpStatusCode.valueOf(failure.status()));
    }

    /**
     * Writes the answer to a request refused before any handler ran (by {@link RequestGate}): a problem, or the
     * envelope on the original endpoints, with {@code extra} headers.
     */
    void writeDirect(HttpServletRequest request, HttpServletResponse response, Failure failure, HttpHeaders extra,
                     ObjectMapper json) throws IOException {
        HttpHeaders headers = new HttpHeaders();
        headers.addAll(extra);
        Object body = render(failure, request.getRequestURI(), request.getContextPath(), headers);
        response.setStatus(failure.status());
        headers.forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
        json.writeValue(response.getOutputStream(), body);
    }

    private static Object render(Failure failure, String instance, String contextPath, HttpHeaders headers) {
        if (failure.type() == ProblemType.UNAUTHENTICATED) {
            headers.set(HttpHeaders.WWW_AUTHENTICATE, AUTHENTICATE_CHALLENGE);
        } else if ((failure.type() == ProblemType.OVERLOADED || failure.type() == ProblemType.STORE_UNAVAILABLE)
                && !headers.containsKey(HttpHeaders.RETRY_AFTER)) {
            headers.set(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        if (SeedController.isSeedPath(instance, contextPath)) {
            headers.setContentType(MediaType.APPLICATION_JSON);
            return SeedEnvelope.failure(failure.status(), failure.detail());
        }
        headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return failure.toProblem(instance);
    }

    /** What went wrong, in API terms. */
    static Failure describe(Throwable thrown) {
        Throwable ex = unwrap(thrown);
        if (ex instanceof DelayException e) {
            ProblemType type = ProblemType.of(e);
            List<Problem.FieldError> errors = e instanceof ValidationException v
                    ? v.errors().stream().map(f -> new Problem.FieldError(f.field(), f.reason())).toList()
                    : List.of();
            return new Failure(type, type.status().value(), e.publicDetail(), errors);
        }
        if (ex instanceof HttpMessageNotReadableException e) {
            return unreadable(e);
        }
        if (ex instanceof TypeMismatchException e) {
            String field = e instanceof MethodArgumentTypeMismatchException m ? m.getName() : e.getPropertyName();
            return Failure.field(field, "must be " + describeType(e.getRequiredType()));
        }
        if (ex instanceof MissingServletRequestParameterException e) {
            return Failure.field(e.getParameterName(), "is required");
        }
        if (ex instanceof BindException e) {
            List<Problem.FieldError> errors = e.getFieldErrors().stream()
                    .map(f -> new Problem.FieldError(f.getField(), String.valueOf(f.getDefaultMessage()))).toList();
            return new Failure(ProblemType.VALIDATION_FAILED, 400, "Invalid request", errors);
        }
        if (ex instanceof HttpRequestMethodNotSupportedException e) {
            return Failure.of(ProblemType.METHOD_NOT_ALLOWED, "Method " + e.getMethod()
                    + " is not supported here; supported: " + join(e.getSupportedHttpMethods()));
        }
        if (ex instanceof HttpMediaTypeNotSupportedException e) {
            return Failure.of(ProblemType.UNSUPPORTED_MEDIA_TYPE, "Content-Type "
                    + (e.getContentType() == null ? "(none)" : e.getContentType()) + " is not supported; use "
                    + join(e.getSupportedMediaTypes()));
        }
        if (ex instanceof HttpMediaTypeNotAcceptableException e) {
            return Failure.of(ProblemType.NOT_ACCEPTABLE, "None of the media types in Accept can be produced; "
                    + "available: " + join(e.getSupportedMediaTypes()));
        }
        if (ex instanceof NoResourceFoundException || ex instanceof NoHandlerFoundException) {
            return Failure.of(ProblemType.NOT_FOUND, "There is no endpoint at this path");
        }
        if (ex instanceof AsyncRequestTimeoutException) {
            return Failure.of(ProblemType.OVERLOADED,
                    "The request was not completed in time; retry it (with the same Idempotency-Key)");
        }
        if (ex instanceof MaxUploadSizeExceededException) {
            return Failure.of(ProblemType.PAYLOAD_TOO_LARGE, "The request body is too large");
        }
        if (ex instanceof ErrorResponse e) {
            int status = e.getStatusCode().value();
            ProblemType type = ProblemType.forStatus(status);
            String detail = e.getBody().getDetail();
            return new Failure(type, status, detail == null ? type.title() : detail, List.of());
        }
        return Failure.of(ProblemType.INTERNAL_ERROR, "Internal error; the server log has the details");
    }

    private static Failure unreadable(HttpMessageNotReadableException e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof BodyTooLargeException tooLarge) {
                return Failure.of(ProblemType.REQUEST_TOO_LARGE, tooLarge.getMessage());
            }
            if (t instanceof ValidationException v) { // raised while reading (a batch of more than 1000 entries)
                return describe(v);
            }
        }
        Throwable cause = e.getCause();
        if (cause instanceof JsonMappingException m) {
            // valid JSON, but a value of the wrong type (e.g. "delayMs":"abc")
            String field = fieldPath(m);
            String reason = m instanceof MismatchedInputException mi && mi.getTargetType() != null
                    ? "must be " + describeType(mi.getTargetType()) : "has an invalid value";
            return Failure.field(field.isEmpty() ? "body" : field, reason);
        }
        if (cause instanceof JsonProcessingException p) {
            JsonLocation at = p.getLocation();
            return Failure.of(ProblemType.MALFORMED_JSON, "The body is not valid JSON: " + p.getOriginalMessage()
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        }
        return Failure.of(ProblemType.MALFORMED_JSON, "The request body is missing or is not readable JSON");
    }

    /** JSON path of the offending value, e.g. {@code messages[2].delayMs}. */
    static String fieldPath(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    static String describeType(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == Long.class || type == long.class || type == Integer.class || type == int.class
                || type == Short.class || type == short.class || type == java.math.BigInteger.class) {
            return "an integer";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (CharSequence.class.isAssignableFrom(type) || type == char.class || type == Character.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "an object of string values";
        }
        return "a JSON object";
    }

    private static Throwable unwrap(Throwable ex) {
        Throwable t = ex;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String join(Collection<?> items) {
        return items == null || items.isEmpty() ? "(none)" : String.join(", ", items.stream().map(String::valueOf).toList());
    }

    private static void logFailure(Failure failure, Throwable ex, String instance) {
        switch (failure.type()) {
            case INTERNAL_ERROR -> log.error("[path={}] request failed", instance, ex);
            case STORE_UNAVAILABLE -> log.warn("[path={}] store unavailable: {}", instance,
                    ex == null ? null : unwrap(ex).getMessage());
            default -> {
                // client errors and load shedding are the client's news, counted by the HTTP metrics
            }
        }
    }

    /** An error in API terms, before it is rendered as a problem or an envelope. */
    record Failure(ProblemType type, int status, String detail, List<Problem.FieldError> errors) {

        static Failure of(ProblemType type, String detail) {
            return new Failure(type, type.status().value(), detail, List.of());
        }

        static Failure field(String field, String reason) {
            return new Failure(ProblemType.VALIDATION_FAILED, 400, "Invalid request: " + field + " " + reason,
                    List.of(new Problem.FieldError(field, reason)));
        }

        Problem toProblem(String instance) {
            return new Problem(type.type().toString(), type.title(), status, detail, instance,
                    errors.isEmpty() ? null : errors);
        }
    }
}

package io.hourglass.exporter.http;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Answers errors that escaped Spring MVC (raised by the servlet container or a filter, then forwarded to the error
 * path) as problem details too, in place of Boot's {@code BasicErrorController}. The rendering is
 * {@link ProblemHandler}'s.
 */
@RestController
@Hidden
@RequestMapping("${server.error.path:${error.path:/error}}")
public class ProblemErrorController implements ErrorController {

    private final ProblemHandler problems;

    public ProblemErrorController(ProblemHandler problems) {
        this.problems = problems;
    }

    @RequestMapping
    public ResponseEntity<Object> error(HttpServletRequest request) {
        Throwable exception = (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        return problems.errorResponse(exception, status instanceof Integer code ? code : 500,
                uri == null ? request.getRequestURI() : uri.toString(), request.getContextPath());
    }
}

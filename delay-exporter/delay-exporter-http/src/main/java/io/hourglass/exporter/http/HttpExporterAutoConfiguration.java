package io.hourglass.exporter.http;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Ticker;
import io.hourglass.client.api.BatchSubmitRequest;
import io.hourglass.client.api.Problem;
import io.hourglass.core.engine.AppDirectory;
import io.hourglass.core.engine.DelayService;
import io.hourglass.core.spi.PeerClient;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import jakarta.servlet.DispatcherType;
import org.apache.catalina.core.StandardHost;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.models.GroupedOpenApi;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.jackson.Jackson2ObjectMapperBuilderCustomizer;
import org.springframework.boot.autoconfigure.web.servlet.error.ErrorMvcAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import java.util.List;

/**
 * The REST exporter: {@code /api/v1/messages}, the original {@code /delay/*} endpoints, RFC 9457 problem details
 * for every error (also those outside MVC), and their OpenAPI description (with springdoc on the class path).
 *
 * <p>On in a servlet web application that has a {@link DelayService} and an {@link AppDirectory}, unless
 * {@code delay.exporter.http.enabled=false}. Those two beans must come from the application's own configuration or
 * from an auto-configuration ordered before this one. Runs before {@link ErrorMvcAutoConfiguration} so that its
 * error controller replaces Boot's (declare your own {@link ErrorController} bean to keep yours).
 */
@AutoConfiguration(before = ErrorMvcAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnProperty(prefix = "delay.exporter.http", name = "enabled", havingValue = "true", matchIfMissing = true)
@ConditionalOnBean({DelayService.class, AppDirectory.class})
@Import({MessagesController.class, SeedController.class, ProblemHandler.class})
@EnableConfigurationProperties({EdgeProperties.class, PeerProperties.class})
public class HttpExporterAutoConfiguration {

    /** Before Spring Security's filter chain (-100): bodies are capped before anyone reads them. */
    static final int GATE_ORDER = Ordered.HIGHEST_PRECEDENCE + 50;
    /** Longest string value in a JSON body, in characters: a payload of the largest allowed size, escaped, fits. */
    static final int MAX_JSON_STRING_CHARS = 1_000_000;
    static final int MAX_JSON_NESTING = 64;
    static final int MAX_JSON_NUMBER_CHARS = 100;

    @Bean
    FilterRegistrationBean<RequestGate> hourglassRequestGate(AppDirectory apps, ProblemHandler problems,
                                                             ObjectProvider<ObjectMapper> json, EdgeProperties limits) {
        RequestGate gate = new RequestGate(apps, problems, json.getIfAvailable(ObjectMapper::new), limits,
                new AuthFailureThrottle(limits.authFailureLimit(), limits.authFailureWindow(),
                        limits.authFailureAddresses(), Ticker.systemTicker()));
        FilterRegistrationBean<RequestGate> registration = new FilterRegistrationBean<>(gate);
        registration.setName("hourglassRequestGate");
        registration.setOrder(GATE_ORDER);
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
        registration.setAsyncSupported(true);
        return registration;
    }

    /** Tomcat's own error answers (before any servlet) as problems too, not HTML pages. */
    @Bean
    @ConditionalOnClass(name = "org.apache.catalina.valves.ErrorReportValve")
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> hourglassProblemErrorReports() {
        return factory -> factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
            }
        });
    }

    /**
     * Jackson reads request bodies within bounds: strings, nesting and numbers are limited as they stream, a batch
     * stops at entry 1001 rather than being built whole first, and a field given twice is refused.
     */
    @Bean
    @ConditionalOnClass(Jackson2ObjectMapperBuilderCustomizer.class)
    Jackson2ObjectMapperBuilderCustomizer hourglassJsonReadLimits() {
        return builder -> builder
                // {"topic":"a","topic":"b"} is ambiguous (and trips Jackson's record binding): a 400, not a guess
                .featuresToEnable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .deserializerByType(BatchSubmitRequest.class, new BoundedBatchDeserializer())
                .postConfigurer(mapper -> mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(MAX_JSON_STRING_CHARS)
                        .maxNestingDepth(MAX_JSON_NESTING)
                        .maxNumberLength(MAX_JSON_NUMBER_CHARS)
                        .build()));
    }

    @Bean
    WebMvcConfigurer hourglassAppArgumentResolver(AppDirectory apps) {
        return new WebMvcConfigurer() {
            @Override
            public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
                resolvers.add(new AppArgumentResolver(apps));
            }
        };
    }

    @Bean
    @ConditionalOnMissingBean(ErrorController.class)
    ProblemErrorController hourglassProblemErrorController(ProblemHandler problems) {
        return new ProblemErrorController(problems);
    }

    /**
     * Routing between the servers of a cluster, on when {@code delay.protocol.internal-token} is set: the owner's
     * internal endpoint and the {@link PeerClient} that calls it (see docs/operations.md).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnExpression("'${delay.protocol.internal-token:}'.trim() != ''")
    static class Routing {

        static final String TOKEN = "delay.protocol.internal-token";

        @Bean
        InternalMessagesController hourglassInternalMessagesController(DelayService service, Environment env) {
            return new InternalMessagesController(service, env.getRequiredProperty(TOKEN).trim());
        }

        @Bean
        @ConditionalOnMissingBean(PeerClient.class)
        HttpPeerClient hourglassPeerClient(ObjectProvider<ObjectMapper> json, Environment env, PeerProperties peer) {
            return new HttpPeerClient(json.getIfAvailable(ObjectMapper::new), env.getRequiredProperty(TOKEN).trim(),
                    peer.connectTimeout(), peer.requestTimeout());
        }
    }

    /** Documents the credentials and the problem responses of our endpoints in the OpenAPI description. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(OpenApiCustomizer.class)
    static class OpenApiDocumentation {

        static final String APP_KEY_SCHEME = "appKey";
        static final String APP_SECRET_SCHEME = "appSecret";

        /** The app API as its own OpenAPI group ({@code /v3/api-docs/app}); {@code /v3/api-docs} keeps every path. */
        @Bean
        GroupedOpenApi hourglassAppApiGroup() {
            return GroupedOpenApi.builder().group("app").displayName("App API (X-App-Key / X-App-Secret)")
                    .pathsToMatch(MessagesController.BASE_PATH + "/**", "/delay/**").build();
        }

        @Bean
        OpenApiCustomizer hourglassApiCustomizer() {
            return openApi -> {
                Components components = openApi.getComponents() == null ? new Components() : openApi.getComponents();
                openApi.setComponents(components);
                components.addSecuritySchemes(APP_KEY_SCHEME, header(AppArgumentResolver.APP_KEY_HEADER, "Key of the calling app"));
                components.addSecuritySchemes(APP_SECRET_SCHEME, header(AppArgumentResolver.APP_SECRET_HEADER, "Secret of the calling app"));
                ModelConverters.getInstance().readAll(Problem.class).forEach(components::addSchemas);
                if (openApi.getPaths() == null) {
                    return;
                }
                openApi.getPaths().forEach((path, item) -> {
                    if (!path.startsWith(MessagesController.BASE_PATH)) {
                        return; // the original /delay endpoints take their headers as parameters and answer envelopes
                    }
                    item.readOperations().forEach(operation -> {
                        operation.addSecurityItem(new SecurityRequirement().addList(APP_KEY_SCHEME).addList(APP_SECRET_SCHEME));
                        operation.getResponses().computeIfAbsent("401", c -> new ApiResponse()
                                .description("Missing or wrong X-App-Key / X-App-Secret (unauthenticated)"));
                        operation.getResponses().computeIfAbsent("503", c -> new ApiResponse()
                                .description("Store unavailable or server overloaded; retry (Retry-After)"));
                        operation.getResponses().forEach((code, response) -> {
                            if (code.startsWith("4") || code.startsWith("5")) {
                                response.setContent(problemContent());
                            }
                        });
                    });
                });
            };
        }

        private static SecurityScheme header(String name, String description) {
            return new SecurityScheme().type(SecurityScheme.Type.APIKEY).in(SecurityScheme.In.HEADER).name(name)
                    .description(description);
        }

        private static Content problemContent() {
            return new Content().addMediaType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                    new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + Problem.class.getSimpleName())));
        }
    }
}

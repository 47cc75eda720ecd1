package io.hourglass.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hourglass.admin.security.AdminSecurityConfiguration;
import io.hourglass.admin.web.AdminProblemHandler;
import io.hourglass.admin.web.AppsController;
import io.hourglass.admin.web.AuditController;
import io.hourglass.admin.web.MessagesAdminController;
import io.hourglass.admin.web.SessionController;
import io.hourglass.admin.web.TopicsController;
import io.hourglass.admin.web.UsersController;
import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.concurrent.NamedThreads;
import io.hourglass.core.engine.AppDirectory;
import io.hourglass.core.engine.DeadLetters;
import io.hourglass.core.engine.DelayEngine;
import io.hourglass.core.engine.DelayService;
import io.hourglass.core.spi.AdminStore;
import io.hourglass.core.spi.AppChangeBus;
import io.hourglass.core.spi.AppStore;
import io.hourglass.core.spi.Coordinator;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.core.spi.TopicProvisioner;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.security.servlet.SecurityAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The admin side ({@code delay.admin.enabled}, on by default): the admin API under {@code /admin/api/v1}, its
 * security ({@link AdminSecurityConfiguration}), and the first admin user. Needs the application's
 * {@link AppStore}, {@link AdminStore}, {@link MessageStore}, {@link AppDirectory} and {@link DelayService}; a
 * {@link TopicProvisioner} is used when there is one.
 *
 * <p>Spring Security guards {@code /admin/**} only. Runs before Boot's security auto-configuration so that Boot's
 * default chain (which would lock every path) backs off; with the admin off, a chain that lets everything through
 * takes its place and {@code /admin/**} answers 404.
 */
@AutoConfiguration(before = SecurityAutoConfiguration.class,
        afterName = {"io.hourglass.store.mysql.MysqlStoreAutoConfiguration",
                "io.hourglass.store.cassandra.CassandraStoreAutoConfiguration"})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(SecurityFilterChain.class)
@EnableConfigurationProperties(AdminProperties.class)
public class AdminAutoConfiguration {

    /** The name of the executor that recomputes the overview's counts. */
    public static final String COUNT_REFRESHER = "hourglassAdminCountRefresher";

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = AdminProperties.PREFIX, name = "enabled", havingValue = "true", matchIfMissing = true)
    @Import({AdminSecurityConfiguration.class, AppsController.class, TopicsController.class, UsersController.class,
            AuditController.class, MessagesAdminController.class, SessionController.class, AdminProblemHandler.class,
            io.hourglass.admin.web.OverviewController.class, io.hourglass.admin.web.CallbacksController.class})
    static class Enabled {

        @Bean
        AuditLog hourglassAuditLog(ObjectProvider<AdminStore> store, DelayClock clock, ObjectProvider<ObjectMapper> json) {
            return new AuditLog(required(store, AdminStore.class), clock, json.getIfAvailable(ObjectMapper::new));
        }

        @Bean(destroyMethod = "close")
        AdminJobs hourglassAdminJobs(DelayClock clock) {
            return new AdminJobs(clock);
        }

        @Bean
        MessageAdminService hourglassMessageAdminService(MessageStore store, DelayService service, AuditLog audit,
                                                         AdminJobs jobs) {
            return new MessageAdminService(store, service, audit, jobs);
        }

        @Bean
        AppAdminService hourglassAppAdminService(ObjectProvider<AppStore> store, AppDirectory directory, AuditLog audit,
                                                 DelayClock clock, ObjectProvider<TopicProvisioner> topics,
                                                 AdminProperties properties, AdminJobs jobs,
                                                 MessageAdminService messages, ObjectProvider<AppChangeBus> changes,
                                                 ObjectProvider<DeadLetters> deadLetters) {
            return new AppAdminService(required(store, AppStore.class), directory, audit, clock, topics.getIfAvailable(),
                    properties, jobs, messages, changes.getIfAvailable(), deadLetters.getIfAvailable(() -> DeadLetters.NONE));
        }

        /** Callback hosts, secrets and targets; callbacks may be off on this server (then targets are refused). */
        @Bean
        CallbackAdminService hourglassCallbackAdminService(
                ObjectProvider<AppStore> apps, ObjectProvider<AdminStore> store, AuditLog audit, DelayClock clock,
                ObjectProvider<io.hourglass.message.http.StoredCallbackSettings> settings,
                ObjectProvider<io.hourglass.message.http.AllowedHosts> allowedHosts,
                ObjectProvider<io.hourglass.message.http.SigningSecrets> secrets,
                ObjectProvider<io.hourglass.message.http.HttpCallbackProperties> callbacks) {
            io.hourglass.message.http.HttpCallbackProperties p = callbacks.getIfAvailable();
            return new CallbackAdminService(required(apps, AppStore.class), required(store, AdminStore.class), audit,
                    clock, settings.getIfAvailable(), allowedHosts.getIfAvailable(), secrets.getIfAvailable(),
                    p == null ? null : p.connectTimeout());
        }

        @Bean
        AdminUserService hourglassAdminUserService(ObjectProvider<AdminStore> store, PasswordEncoder encoder,
                                                   AuditLog audit, DelayClock clock) {
            return new AdminUserService(required(store, AdminStore.class), encoder, audit, clock);
        }

        /**
         * Where the overview's costly counts are recomputed in the background: one daemon thread, at most one pass per
         * figure queued ({@link CostlyFigure}). A bean of this name replaces it (tests refresh on the caller's thread).
         */
        @Bean(name = COUNT_REFRESHER, destroyMethod = "shutdownNow")
        @ConditionalOnMissingBean(name = COUNT_REFRESHER)
        ExecutorService hourglassAdminCountRefresher() {
            return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                    new ArrayBlockingQueue<>(4), NamedThreads.single("hourglass-admin-counts"));
        }

        @Bean
        OverviewService hourglassOverviewService(MessageStore messages, ObjectProvider<AdminStore> admin,
                                                 Coordinator coordinator, DelayClock clock, Rebalances rebalances,
                                                 @Qualifier(COUNT_REFRESHER) Executor refresher) {
            return new OverviewService(messages, required(admin, AdminStore.class), coordinator, clock, rebalances,
                    refresher);
        }

        @Bean
        DeadLetterReport hourglassDeadLetterReport(MessageStore messages, OverviewService overview, DelayClock clock) {
            return new DeadLetterReport(messages, overview::states, clock);
        }

        @Bean
        Rebalances hourglassRebalances() {
            return new Rebalances();
        }

        /** Reads the registry the engine's meters are in: the application's (the engine is given the same one). */
        @Bean
        LiveFigures hourglassLiveFigures(ObjectProvider<MeterRegistry> registry, DelayEngine engine,
                                         Coordinator coordinator, DelayClock clock) {
            return new LiveFigures(registry.getIfAvailable(io.micrometer.core.instrument.simple.SimpleMeterRegistry::new),
                    () -> engine.firedByTopic().snapshot(), clock, coordinator.nodeId());
        }

        @Bean(initMethod = "start", destroyMethod = "close")
        AdminSampler hourglassAdminSampler(LiveFigures live, Rebalances rebalances, Coordinator coordinator,
                                           DelayClock clock, ObjectProvider<MeterRegistry> registry) {
            return new AdminSampler(live, rebalances, coordinator, clock,
                    registry.getIfAvailable(io.micrometer.core.instrument.simple.SimpleMeterRegistry::new));
        }

        @Bean(initMethod = "start", destroyMethod = "close")
        ClusterSnapshots hourglassClusterSnapshots(ObjectProvider<AdminStore> admin, DelayEngine engine,
                                                   Coordinator coordinator, DelayClock clock,
                                                   ObjectProvider<MeterRegistry> registry,
                                                   ObjectProvider<org.springframework.boot.info.BuildProperties> build,
                                                   org.springframework.core.env.Environment env) {
            String address = env.getProperty("delay.protocol.advertised-address", "");
            if (address.isBlank()) {
                address = "http://127.0.0.1:" + env.getProperty("local.server.port", env.getProperty("server.port", "8080"));
            }
            org.springframework.boot.info.BuildProperties info = build.getIfAvailable();
            String version = info == null || info.getVersion() == null ? "dev" : info.getVersion();
            return new ClusterSnapshots(required(admin, AdminStore.class), engine, coordinator, clock,
                    registry.getIfAvailable(io.micrometer.core.instrument.simple.SimpleMeterRegistry::new), address, version);
        }

        @Bean
        ApplicationRunner hourglassFirstAdmin(AdminUserService users, AdminProperties properties) {
            return args -> users.ensureFirstAdmin(properties.firstAdmin());
        }

        private static <T> T required(ObjectProvider<T> provider, Class<T> type) {
            T bean = provider.getIfAvailable();
            if (bean == null) {
                throw new IllegalStateException("delay.admin.enabled=true needs a " + type.getSimpleName()
                        + " bean: the store selected by delay.store.type provides one (or set delay.admin.enabled=false)");
            }
            return bean;
        }
    }

    /** The admin API as its own OpenAPI group ({@code /v3/api-docs/admin}), with its HTTP Basic scheme. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springdoc.core.models.GroupedOpenApi")
    @ConditionalOnProperty(prefix = AdminProperties.PREFIX, name = "enabled", havingValue = "true", matchIfMissing = true)
    static class OpenApiGroup {

        @Bean
        org.springdoc.core.models.GroupedOpenApi hourglassAdminApiGroup() {
            return org.springdoc.core.models.GroupedOpenApi.builder().group("admin")
                    .displayName("Admin API (admin users: session or HTTP Basic)")
                    .pathsToMatch("/admin/api/**")
                    .addOpenApiCustomizer(openApi -> {
                        openApi.getComponents().addSecuritySchemes("adminBasic",
                                new io.swagger.v3.oas.models.security.SecurityScheme()
                                        .type(io.swagger.v3.oas.models.security.SecurityScheme.Type.HTTP).scheme("basic")
                                        .description("An admin user (roles ADMIN, OPERATOR, VIEWER)"));
                        openApi.addSecurityItem(new io.swagger.v3.oas.models.security.SecurityRequirement()
                                .addList("adminBasic"));
                    })
                    .build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = AdminProperties.PREFIX, name = "enabled", havingValue = "false")
    static class Disabled {

        /** Keeps Boot's default security (which would lock every path) away; nothing is served under /admin. */
        @Bean
        SecurityFilterChain hourglassAdminOff(HttpSecurity http) throws Exception {
            return http.securityMatcher("/admin/**")
                    .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                    .csrf(AbstractHttpConfigurer::disable)
                    .build();
        }
    }
}

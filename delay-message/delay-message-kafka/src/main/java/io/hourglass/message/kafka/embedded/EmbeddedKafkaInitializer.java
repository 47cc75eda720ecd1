package io.hourglass.message.kafka.embedded;

import io.hourglass.message.kafka.KafkaMessageProperties;
import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.validation.MessageInterpolatorFactory;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.ClassUtils;
import org.springframework.validation.beanvalidation.SpringValidatorAdapter;

import java.util.List;
import java.util.Map;

/**
 * Starts the embedded Kafka broker of standalone mode before any bean is created, so that the emitter's producer
 * (and anything else, such as an admin that creates topics) can connect from the start.
 *
 * <p>Active when {@code delay.message.type} is {@code kafka} or unset and {@code delay.message.kafka.embedded} is
 * {@code true} (the default). It then:
 * <ol>
 *   <li>binds and validates {@code delay.message.kafka.*} (a bad value stops the server and names the key);</li>
 *   <li>sets the loggers {@code kafka}, {@code org.apache.kafka} and {@code state.change.logger} to WARN, unless
 *       {@code logging.level.<name>} is set (set {@code logging.level.kafka=INFO} to see the broker's own logs);
 *       this runs after Boot initialised logging, which is why the broker is started here and not in a bean;</li>
 *   <li>starts an {@link EmbeddedKafkaServer} (blocks until it serves clients, about 2 s);</li>
 *   <li>points {@code spring.kafka.bootstrap-servers} at it with a lowest-precedence property source, unless the
 *       user set that property;</li>
 *   <li>registers the broker as singleton bean {@value #BEAN_NAME} and as the <em>first</em> disposable bean of the
 *       context. Spring destroys disposable beans in reverse order of registration, after every
 *       {@code SmartLifecycle} has stopped, so the broker stops last: after the firing engine and after the
 *       producer has flushed the records in flight. It is also closed when the context fails to start.</li>
 * </ol>
 *
 * <p>Registered in {@code META-INF/spring.factories}, so every {@code SpringApplication} with this jar applies it,
 * including {@code @SpringBootTest} contexts: tests in other modules set {@code delay.message.kafka.embedded=false}
 * (or free ports and a temporary data dir), since each context would otherwise start a broker on port 9092.
 */
public class EmbeddedKafkaInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext>,
        Ordered {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaInitializer.class);

    /** Bean name of the running {@link EmbeddedKafkaServer}. */
    public static final String BEAN_NAME = "hourglassEmbeddedKafkaServer";
    static final String PROPERTY_SOURCE_NAME = "hourglassEmbeddedKafka";
    static final String BOOTSTRAP_SERVERS = "spring.kafka.bootstrap-servers";
    static final List<String> BROKER_LOGGERS = List.of("kafka", "org.apache.kafka", "state.change.logger");

    @Override
    public int getOrder() {
        // late, so that property sources added by earlier initializers (config servers) are seen
        return Ordered.LOWEST_PRECEDENCE - 100;
    }

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        ConfigurableEnvironment environment = context.getEnvironment();
        if (!"kafka".equalsIgnoreCase(environment.getProperty("delay.message.type", "kafka").trim())) {
            return;
        }
        KafkaMessageProperties properties = bind(environment);
        if (!properties.embedded()) {
            return;
        }
        ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
        if (beanFactory.containsSingleton(BEAN_NAME)) {
            return; // applied twice to the same context
        }
        if (!ClassUtils.isPresent("kafka.server.KafkaRaftServer", context.getClassLoader())) {
            throw new IllegalStateException(KafkaMessageProperties.PREFIX + ".embedded=true needs the Kafka broker "
                    + "(org.apache.kafka:kafka_2.13) on the classpath; add it, or set " + KafkaMessageProperties.PREFIX
                    + ".embedded=false and spring.kafka.bootstrap-servers to use an external cluster");
        }
        quietBrokerLogging(environment, context.getClassLoader());

        EmbeddedKafkaServer server = EmbeddedKafkaServer.start(properties);
        beanFactory.registerSingleton(BEAN_NAME, server);
        if (beanFactory instanceof DefaultSingletonBeanRegistry registry) {
            registry.registerDisposableBean(BEAN_NAME, server::close);
        } else {
            context.addApplicationListener(closeOn(org.springframework.context.event.ContextClosedEvent.class, server));
        }
        context.addApplicationListener(closeOn(ApplicationFailedEvent.class, server));

        if (environment.containsProperty(BOOTSTRAP_SERVERS)) {
            log.info("{} is set ({}); the embedded broker on {} is not used by default", BOOTSTRAP_SERVERS,
                    environment.getProperty(BOOTSTRAP_SERVERS), server.bootstrapServers());
        } else {
            environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE_NAME,
                    Map.of(BOOTSTRAP_SERVERS, server.bootstrapServers())));
        }
    }

    /** Binds {@code delay.message.kafka.*} as the auto-configuration will, with the same validation. */
    static KafkaMessageProperties bind(ConfigurableEnvironment environment) {
        try (ValidatorFactory factory = Validation.byDefaultProvider().configure()
                .messageInterpolator(new MessageInterpolatorFactory().getObject())
                .buildValidatorFactory()) {
            ValidationBindHandler handler = new ValidationBindHandler(new SpringValidatorAdapter(factory.getValidator()));
            return Binder.get(environment).bindOrCreate(KafkaMessageProperties.PREFIX,
                    Bindable.of(KafkaMessageProperties.class), handler);
        }
    }

    private static void quietBrokerLogging(ConfigurableEnvironment environment, ClassLoader classLoader) {
        LoggingSystem loggingSystem = LoggingSystem.get(classLoader);
        for (String logger : BROKER_LOGGERS) {
            if (!environment.containsProperty("logging.level." + logger)) {
                loggingSystem.setLogLevel(logger, LogLevel.WARN);
            }
        }
    }

    private static ApplicationListener<ApplicationEvent> closeOn(Class<? extends ApplicationEvent> type,
                                                                 EmbeddedKafkaServer server) {
        return event -> {
            if (type.isInstance(event)) {
                server.close();
            }
        };
    }
}

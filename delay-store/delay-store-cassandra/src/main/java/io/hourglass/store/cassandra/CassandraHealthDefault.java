package io.hourglass.store.cassandra;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.Map;

/**
 * Keeps this jar harmless when another store is selected. The driver on the class path switches on Boot's
 * {@code CassandraAutoConfiguration}, whose session bean is lazy; but the actuator's Cassandra health indicator asks
 * for every session bean, which makes Boot connect at start, and a server without Cassandra would fail to start. So,
 * unless {@code delay.store.type=cassandra}, this sets {@value #HEALTH_KEY}{@code =false} as a default of the lowest
 * precedence: any value the application sets wins. Runs after the configuration files (and profiles) are loaded.
 */
public class CassandraHealthDefault implements EnvironmentPostProcessor, Ordered {

    static final String HEALTH_KEY = "management.health.cassandra.enabled";
    static final String SOURCE_NAME = "hourglassCassandraHealthDefault";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String type = environment.getProperty("delay.store.type", "mysql").trim();
        if (type.equalsIgnoreCase("cassandra") || environment.containsProperty(HEALTH_KEY)) {
            return;
        }
        environment.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME, Map.of(HEALTH_KEY, "false")));
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}

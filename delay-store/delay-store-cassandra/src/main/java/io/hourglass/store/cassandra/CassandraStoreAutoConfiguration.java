package io.hourglass.store.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.spi.AdminStore;
import io.hourglass.core.spi.AppStore;
import io.hourglass.core.spi.MessageStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.cassandra.CassandraAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Lazy;

/**
 * The Cassandra store ({@code delay.store.type=cassandra}): {@link MessageStore}, {@link AppStore} and
 * {@link AdminStore} on the application's {@link CqlSession} (Spring Boot's, from {@code spring.cassandra.*}, or the
 * application's own). The keyspace and tables are created (and those of an earlier version upgraded) at start (unless
 * {@code delay.store.cassandra.create-schema=false}) and the bucket size is checked against the one the keyspace was made with. Each bean backs off when the application declares its
 * own.
 *
 * <p>With any other store type nothing here runs, and Boot's session stays unmade: it is a lazy bean that only this
 * configuration asks for (but see docs/stores.md on the Cassandra health indicator).
 */
@AutoConfiguration(after = CassandraAutoConfiguration.class)
@ConditionalOnClass(CqlSession.class)
@ConditionalOnProperty(name = "delay.store.type", havingValue = "cassandra")
@EnableConfigurationProperties(CassandraStoreProperties.class)
public class CassandraStoreAutoConfiguration {

    /** The schema, made once, and the prepared statements both stores share. */
    @Bean
    @Lazy // made only when one of the stores below is: an application with all stores of its own needs no session
    @ConditionalOnMissingBean
    CassandraStatements hourglassCassandraStatements(CassandraStoreProperties properties, CqlSession session) {
        // properties first: a bad value fails the start naming its key before any connection is tried
        if (properties.createSchema()) {
            CassandraSchema.create(session, properties);
        }
        CassandraSchema.checkBucketSize(session, properties);
        return new CassandraStatements(new Cql(session, properties));
    }

    @Bean
    @ConditionalOnMissingBean(MessageStore.class)
    public MessageStore hourglassMessageStore(CassandraStoreProperties properties, CassandraStatements statements,
                                              ObjectProvider<DelayClock> clock) {
        return new CassandraMessageStore(statements.cql(), properties, clock.getIfAvailable(DelayClock::system));
    }

    @Bean
    @ConditionalOnMissingBean(AppStore.class)
    public AppStore hourglassAppStore(CassandraStatements statements) {
        return new CassandraAppStore(statements.cql());
    }

    @Bean
    @ConditionalOnMissingBean(AdminStore.class)
    public AdminStore hourglassAdminStore(CassandraStatements statements) {
        return new CassandraAdminStore(statements.cql());
    }

    /** Holder of the store's prepared statements (a bean, so that the stores prepare them once). */
    public static final class CassandraStatements {
        private final Cql cql;

        CassandraStatements(Cql cql) {
            this.cql = cql;
        }

        Cql cql() {
            return cql;
        }
    }
}
